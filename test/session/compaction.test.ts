import { describe, expect, it } from "vitest";
import { capSummary, compactionPoint, foldText, SUMMARY_SHARE } from "../../framework/session/compaction.ts";
import type { StoredMessage } from "../../framework/session/session-types.ts";

const at = "2026-12-02T00:00:00.000Z";
// n exchanges of a person message, a tool call with its result, and a reply: 4 messages each.
function exchanges(n: number, size = 400): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ role: "user", content: `q${i} ${"x".repeat(size)}`, at });
    out.push({ role: "assistant", content: "", tool_calls: [{ id: `c${i}`, name: "run_status", arguments: {}, rawArguments: "{}" }], at });
    out.push({ role: "tool", content: "y".repeat(size), tool_call_id: `c${i}`, name: "run_status", at });
    out.push({ role: "assistant", content: `a${i} ${"z".repeat(size)}`, at });
  }
  return out;
}

describe("compactionPoint()", () => {
  it("is null while the context fits", () => {
    expect(compactionPoint(exchanges(3), 0, 1000, 24000, 10)).toBeNull();
  });

  it("cuts at a person message, keeps at least keep_recent messages, and folds down below the limit", () => {
    const messages = exchanges(100);
    const upto = compactionPoint(messages, 0, 2000, 8000, 10)!;
    expect(messages[upto]!.role).toBe("user");
    expect(messages.length - upto).toBeGreaterThanOrEqual(10);
    const kept = messages.slice(upto).reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 0);
    expect(2000 + kept + 8000 * SUMMARY_SHARE).toBeLessThanOrEqual(8000);
  });

  it("keeps the keep_recent messages even when they alone pass the limit, going back to a person message", () => {
    const messages = exchanges(10, 20000);
    const upto = compactionPoint(messages, 0, 2000, 8000, 6)!;
    expect(messages[upto]!.role).toBe("user");
    expect(upto).toBeLessThanOrEqual(messages.length - 6);
  });

  it("never moves back before the current point", () => {
    const messages = exchanges(50);
    const first = compactionPoint(messages, 0, 2000, 8000, 10)!;
    expect(compactionPoint(messages, first, 2000, 8000, 10)).toBeNull();
  });
});

describe("foldText() and capSummary()", () => {
  it("carries the summary so far, then the messages as Person / Orchestrator / Tool lines", () => {
    const text = foldText("Earlier: chose Socket.IO.", exchanges(1, 5), 10_000);
    expect(text).toBe(
      "# Summary so far\n\nEarlier: chose Socket.IO.\n\n# Messages to fold in\n\nPerson: q0 xxxxx\nOrchestrator:  [calls run_status {}]\nTool run_status: yyyyy\nOrchestrator: a0 zzzzz",
    );
  });

  it("caps a summary at its share of the limit", () => {
    expect(capSummary("w".repeat(100_000), 6000)).toHaveLength(6000 * SUMMARY_SHARE * 4 + 1);
  });
});
