import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../../framework/runner/exit-codes.ts";

describe("exitCodeFor()", () => {
  it.each([
    ["completed", 0],
    ["failed", 2],
    ["budget_exceeded", 2],
    ["timeout", 3],
    ["interrupted", 4],
    ["cancelled", 4],
  ] as const)("maps a run that ended %s to exit code %i (docs/architecture.md §4)", (status, code) => {
    expect(exitCodeFor(status)).toBe(code);
  });
});
