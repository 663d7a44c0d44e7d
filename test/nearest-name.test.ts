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
});
