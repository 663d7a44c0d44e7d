import { describe, expect, it } from "vitest";
import { conversationDigest } from "../../framework/session/conversation-digest.ts";
import type { StoredMessage } from "../../framework/session/session-types.ts";

const at = "2026-12-02T09:00:00.000Z";
const user = (content: string): StoredMessage => ({ role: "user", content, at });
const assistant = (content: string): StoredMessage => ({ role: "assistant", content, at });

describe("conversationDigest()", () => {
  it("gives the person's messages and the replies, oldest first, leaving tool traffic out", () => {
    const messages: StoredMessage[] = [
      user("Add WebSocket support"),
      { ...assistant(""), tool_calls: [{ id: "c1", name: "launch_run", arguments: {}, rawArguments: "{}" }] },
      { role: "tool", content: '{"run_id":"r1"}', tool_call_id: "c1", name: "launch_run", at },
      assistant("The handler module is done."),
      user("Use Socket.IO instead"),
    ];
    expect(conversationDigest(messages, 8000)).toBe(
      "# The conversation so far\n\n**The person:** Add WebSocket support\n\n**Conclave:** The handler module is done.\n\n**The person:** Use Socket.IO instead",
    );
  });

  it("is empty when there is nothing to tell", () => {
    expect(conversationDigest([], 8000)).toBe("");
    expect(conversationDigest([{ role: "tool", content: "x", at }], 8000)).toBe("");
  });

  it("drops the oldest messages first to stay within the cap, and says how many", () => {
    const messages = Array.from({ length: 200 }, (_, i) => (i % 2 ? assistant(`answer ${i} ${"x".repeat(80)}`) : user(`question ${i}`)));
    const digest = conversationDigest(messages, 2000);
    expect(digest.length).toBeLessThanOrEqual(2000);
    expect(digest.endsWith(`**Conclave:** answer 199 ${"x".repeat(80)}`)).toBe(true);
    expect(digest).not.toContain("question 0\n");
    const kept = digest.match(/^\*\*/gm)!.length;
    expect(digest).toContain(`\n\n(${200 - kept} earlier messages left out)\n\n`);
  });

  it("keeps the end of a newest message that alone is longer than the cap", () => {
    const digest = conversationDigest([user("old"), assistant(`${"a".repeat(5000)}THE END`)], 1000);
    expect(digest.length).toBeLessThanOrEqual(1000);
    expect(digest.startsWith("# The conversation so far\n\n(1 earlier message left out)\n\n…")).toBe(true);
    expect(digest.endsWith("THE END")).toBe(true);
  });
});
