import { describe, expect, it } from "vitest";
import { nearestName } from "../framework/nearest-name.ts";

describe("nearestName()", () => {
  it("finds a name with two letters swapped", () => {
    expect(nearestName("dmeo", ["research", "demo"])).toBe("demo");
  });

  it("finds the closest of several near names, the earlier on a tie", () => {
    expect(nearestName("reviw", ["review", "reviews", "preview"])).toBe("review");
    expect(nearestName("ab", ["ax", "ay"])).toBe("ax");
  });

  it("suggests nothing when no candidate is close, nor the name itself", () => {
    expect(nearestName("payroll", ["demo", "research"])).toBeUndefined();
    expect(nearestName("demo", ["demo"])).toBeUndefined();
    expect(nearestName("demo", [])).toBeUndefined();
  });

  it("finds a name with a letter missing, added, changed or two letters swapped", () => {
    const names = ["refinement", "timeout", "agents", "writes"];
    expect(nearestName("refinment", names)).toBe("refinement");
    expect(nearestName("timeoutt", names)).toBe("timeout");
    expect(nearestName("agants", names)).toBe("agents");
    expect(nearestName("wirtes", names)).toBe("writes");
  });

  it("ignores case, and prefers the nearest of several close names", () => {
    expect(nearestName("DryRun", ["dryRun", "runsDir"])).toBe("dryRun");
    expect(nearestName("raeds", ["writes", "reads"])).toBe("reads");
  });

  it("finds nothing when no name is close enough to be a typo", () => {
    expect(nearestName("colour", ["task", "timeout"])).toBeUndefined();
    expect(nearestName("x", [])).toBeUndefined();
  });
});
