import { describe, expect, it } from "vitest";
import { stepLabel } from "../../framework/runner/step-label.ts";

describe("stepLabel()", () => {
  it("keeps the labels of npm start's verify steps distinct: the middle is cut, the step number at the end stays", () => {
    // The tasks workflows/feature.ts gives verify() for its plan's three steps, offline.
    const labels = [3, 5, 7].map((index, i) => stepLabel(index, "verify", `Does this satisfy "Add WebSocket support to the API server: step ${i + 1}"?`));
    expect(labels).toEqual([
      '3. verify: Does this satisfy "Add WebSocket su…the API server: step 1"?',
      '5. verify: Does this satisfy "Add WebSocket su…the API server: step 2"?',
      '7. verify: Does this satisfy "Add WebSocket su…the API server: step 3"?',
    ]);
    expect(new Set(labels.map((l) => l.slice(l.indexOf(" ")))).size).toBe(3);
  });

  it("shows a short task whole, and only its first line", () => {
    expect(stepLabel(1, "plan", "Add WebSocket support to the API server")).toBe("1. plan: Add WebSocket support to the API server");
    expect(stepLabel(2, "ask", "  Name one risk\nand explain it")).toBe("2. ask: Name one risk");
  });

  it("cuts a long task to 60 characters of text", () => {
    const label = stepLabel(4, "execute", "x".repeat(100));
    expect(label).toBe(`4. execute: ${"x".repeat(35)}…${"x".repeat(24)}`);
  });
});
