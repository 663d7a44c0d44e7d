import { describe, expect, it } from "vitest";
import * as conclave from "conclave";

describe("the public API", () => {
  it("exports exactly these names, so a change to the surface is deliberate", () => {
    expect(Object.keys(conclave).sort()).toEqual(
      [
        "ConclaveError",
        "NotARunError",
        "analyzeProject",
        "analyzeRun",
        "PLAN_SCHEMA",
        "VERDICT_SCHEMA",
        "WorkspaceEscapeError",
        "createRunNotes",
        "initProject",
        "openProject",
        "openSession",
        "LAUNCH_RUN_SCHEMA",
        "workflow",
        "z",
        "ConfigError",
        "EXIT",
        "ModelApiError",
        "RateLimitError",
        "RunTimeoutError",
        "SimulatedClock",
        "exitCodeFor",
        "loadConfig",
        "parseConfig",
        "run",
        "systemClock",
        "validateConfig",
      ].sort(),
    );
  });

  it("is importable as `conclave` through the package's exports map", () => {
    expect(typeof conclave.run).toBe("function");
  });
});
