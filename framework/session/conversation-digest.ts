import type { StoredMessage } from "./session-types.ts";

/** The person's messages and the orchestrator's replies, newest last, within maxChars (oldest dropped first). */
export function conversationDigest(messages: StoredMessage[], maxChars: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "tool" || !m.content.trim()) continue;
    const line = `${m.role === "user" ? "Person" : "Orchestrator"}: ${m.content.trim()}`;
    if (size + line.length > maxChars) break;
    lines.unshift(line);
    size += line.length + 1;
  }
  return lines.length ? `# The conversation so far\n\n${lines.join("\n")}` : "";
}
