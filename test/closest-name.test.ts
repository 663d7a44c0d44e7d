import { describe, expect, it } from "vitest";
import { closestName } from "../framework/closest-name.ts";

describe("closestName()", () => {
  it("finds a name with a letter missing, added, changed or two letters swapped", () => {
    const names = ["refinement", "timeout", "agents", "writes"];
    expect(closestName("refinment", names)).toBe("refinement");
    expect(closestName("timeoutt", names)).toBe("timeout");
    expect(closestName("agants", names)).toBe("agents");
    expect(closestName("wirtes", names)).toBe("writes");
  });

  it("ignores case, and prefers the nearest of several close names", () => {
    expect(closestName("DryRun", ["dryRun", "runsDir"])).toBe("dryRun");
    expect(closestName("reads", ["writes", "reads"])).toBe("reads");
  });

  it("finds nothing when no name is close enough to be a typo", () => {
    expect(closestName("colour", ["task", "timeout"])).toBeUndefined();
    expect(closestName("x", [])).toBeUndefined();
  });
});
