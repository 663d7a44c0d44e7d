import { describe, expect, it } from "vitest";
import { buildContext, NO_RESULT, toChatMessages } from "../../framework/session/session-context.ts";
import type { StoredMessage } from "../../framework/session/session-types.ts";

const at = "2026-12-02T00:00:00.000Z";
const call = (id: string) => ({ id, name: "read_file", arguments: { path: "CONTEXT.md" }, rawArguments: '{"path":"CONTEXT.md"}' });

describe("toChatMessages()", () => {
  it("leaves out a tool result whose call fell before the window", () => {
    const stored: StoredMessage[] = [
      { role: "tool", content: "old result", tool_call_id: "c0", name: "read_file", at },
      { role: "user", content: "Next", at },
    ];
    expect(toChatMessages(stored)).toEqual([{ role: "user", content: "Next" }]);
  });

  it("answers a call the process was killed during, so the history stays valid for every provider", () => {
    const stored: StoredMessage[] = [
      { role: "user", content: "Read it", at },
      { role: "assistant", content: "", tool_calls: [call("c1"), call("c2")], at },
      { role: "tool", content: "# Demo", tool_call_id: "c1", name: "read_file", at },
      { role: "user", content: "Again?", at },
    ];
    expect(toChatMessages(stored)).toEqual([
      { role: "user", content: "Read it" },
      { role: "assistant", content: "", toolCalls: [call("c1"), call("c2")] },
      { role: "tool", toolCallId: "c1", content: "# Demo" },
      { role: "tool", toolCallId: "c2", content: NO_RESULT },
      { role: "user", content: "Again?" },
    ]);
  });

  it("clips a message longer than the cap in the request only", () => {
    const stored: StoredMessage[] = [{ role: "user", content: "x".repeat(50), at }];
    expect(toChatMessages(stored, 10)[0]!.content).toBe(`${"x".repeat(10)}\n(… clipped here: 40 more characters)`);
    expect(stored[0]!.content).toHaveLength(50);
  });
});

describe("buildContext()", () => {
  it("orders the system sections prompt, project, runs, summary, spend and sends the messages from the compaction point", () => {
    const messages: StoredMessage[] = [
      { role: "user", content: "one", at },
      { role: "assistant", content: "two", at },
      { role: "user", content: "three", at },
    ];
    const built = buildContext({ prompt: "P", project: "# Project", runs: "# Runs of this session", spend: "# Spend", summary: "S", messages, from: 2, tools: [] });
    expect(built.system).toBe("P\n\n# Project\n\n# Runs of this session\n\n# Earlier in this conversation (summary)\n\nS\n\n# Spend");
    expect(built.messages).toEqual([{ role: "user", content: "three" }]);
    expect(built.tokens).toBeGreaterThan(0);
  });
});
