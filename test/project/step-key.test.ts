import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { stepKey } from "../../framework/project/step-key.ts";
import { thrownBy } from "./temp-dir.ts";

describe("stepKey()", () => {
  it("is the first 24 hex digits of the sha256 of the JSON with sorted keys", () => {
    const expected = createHash("sha256").update('{"a":1,"b":[true,null,"x"]}').digest("hex").slice(0, 24);
    expect(stepKey({ b: [true, null, "x"], a: 1 })).toBe(expected);
    expect(stepKey({ b: [true, null, "x"], a: 1 })).toMatch(/^[0-9a-f]{24}$/);
  });

  it("is equal for objects whose keys, at any depth, come in another order", () => {
    const a = { task: "Plan", options: { mode: "single", rounds: 2, agents: [{ id: "a", model: "m" }] } };
    const b = { options: { agents: [{ model: "m", id: "a" }], rounds: 2, mode: "single" }, task: "Plan" };
    expect(stepKey(a)).toBe(stepKey(b));
  });

  it("differs for different values, types and array orders", () => {
    const keys = [
      stepKey({ task: "Plan" }),
      stepKey({ task: "Plan " }),
      stepKey({ task: ["Plan"] }),
      stepKey({ rounds: 2 }),
      stepKey({ rounds: "2" }),
      stepKey([1, 2]),
      stepKey([2, 1]),
      stepKey(null),
      stepKey({}),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("skips functions and undefined as JSON.stringify does", () => {
    expect(stepKey({ a: 1, b: undefined, f: () => 1 })).toBe(stepKey({ a: 1 }));
    expect(stepKey([1, undefined])).toBe(stepKey([1, null]));
    expect(stepKey(new Date("2025-01-01T00:00:00Z"))).toBe(stepKey("2025-01-01T00:00:00.000Z"));
  });

  it("refuses a cycle and a bigint, naming where", () => {
    const cyclic: Record<string, unknown> = { a: { b: 1 } };
    (cyclic.a as Record<string, unknown>).self = cyclic;
    expect(thrownBy(() => stepKey(cyclic)).message).toBe("stepKey(): `parts.a.self` refers back to itself; pass plain JSON data without cycles.");
    expect(thrownBy(() => stepKey({ n: [1n] })).message).toBe("stepKey(): `parts.n[0]` is a bigint, which JSON cannot hold; pass it as a string or number.");
  });

  it("accepts the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    expect(stepKey({ a: shared, b: shared })).toBe(stepKey({ a: { x: 1 }, b: { x: 1 } }));
  });
});
