import type { StoredMessage } from "./session-types.ts";

/** The heading a conversation digest starts with. */
export const CONVERSATION_HEADING = "# The conversation so far";

const NOTE_ROOM = 48;

/**
 * What a run launched from a session is told of the conversation: the person's messages and the
 * replies (as `**The person:**` and `**Conclave:**`; tool messages, and assistant turns that only called tools, left out),
 * oldest first and newest last, under `# The conversation so far`. Past `maxChars` the oldest
 * messages are dropped first (a note says how many); a single newest message longer than the
 * cap is cut at its start. Empty string when there is nothing to tell.
 *
 * @example
 * conversationDigest(messages, 8000);
 * // "# The conversation so far\n\n**The person:** Add WebSocket support\n\n**Conclave:** Done: …"
 */
export function conversationDigest(messages: StoredMessage[], maxChars: number): string {
  const entries = messages
    .filter((m) => (m.role === "user" || m.role === "assistant") && m.content.trim() !== "")
    .map((m) => `**${m.role === "user" ? "The person" : "Conclave"}:** ${m.content.trim()}`);
  if (entries.length === 0) return "";
  const head = `${CONVERSATION_HEADING}\n\n`;
  // Room kept for the note that says how many were left out.
  const budget = maxChars - head.length - NOTE_ROOM;
  const kept: string[] = [];
  let length = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (length + entry.length + 2 > budget) break;
    kept.unshift(entry);
    length += entry.length + 2;
  }
  // The newest message alone is too long: keep its end, where a message usually concludes.
  if (kept.length === 0) kept.push(`…${entries.at(-1)!.slice(-Math.max(1, budget - 1))}`);
  const dropped = entries.length - kept.length;
  const note = dropped > 0 ? `(${dropped} earlier message${dropped === 1 ? "" : "s"} left out)\n\n` : "";
  return `${head}${note}${kept.join("\n\n")}`;
}
