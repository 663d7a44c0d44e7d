import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../framework/errors.ts";
import { presetRunOptions } from "../../framework/runs/presets.ts";
import { RUN_OPTION_NAMES } from "../../framework/runs/check-option-names.ts";
import { run } from "../../framework/runs/run.ts";
import { makeTempDir, removeDir } from "../support/cli-process.ts";

let tmp: string;
beforeEach(() => {
  tmp = makeTempDir("conclave-options-");
});
afterEach(() => removeDir(tmp));

describe("run() with an option it does not know", () => {
  it("rejects a misspelled option with the nearest name, before anything is written", async () => {
    const runsDir = join(tmp, "runs");
    const options = { task: "Name three risks", config: "configs/offline.yaml", dryRun: true, runsDir, refinment: false };
    const error = await run(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe("run option `refinment` is not known: did you mean `refinement`? Correct its name, or remove it.");
    expect(existsSync(runsDir)).toBe(false);
  });

  it("knows the camelCase plumbing options a program passes", async () => {
    const controller = new AbortController();
    const options = {
      task: "Name three risks", config: "configs/offline.yaml", dryRun: true, runsDir: join(tmp, "runs"), env: {}, signal: controller.signal,
      onStatus: () => {}, onEvent: () => {}, onStart: () => {}, onNotice: () => {}, description: { command: "test" }, agents: ["alpha"], agent_mode: "single" as const,
    };
    expect((await run(options)).status).toBe("completed");
  });

  it("lists the options when no name is close", async () => {
    const error = await run({ task: "x", colour: "blue" } as never).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`run option \`colour\` is not known. The options are: ${RUN_OPTION_NAMES.join(", ")}.`);
  });
});

describe("presetRunOptions()", () => {
  it("knows the presets' own options and suggests them", () => {
    expect(presetRunOptions("t", { mode: "single", writes: ["a/"], reads: ["b/"], evidence: "e" }, {}).agent_mode).toBe("single");
    expect(() => presetRunOptions("t", { writs: ["deliverables/"] } as never, {})).toThrow(
      new ConfigError("run option `writs` is not known: did you mean `writes`? Correct its name, or remove it."),
    );
  });
});
