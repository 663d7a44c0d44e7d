import type { ChatMessage } from "../model.ts";

/** The prefix of the engine's compaction request: summarise the messages that follow it. */
export const SUMMARISE_PREFIX = "(summarise)";

const LINE_CHARS = 100;
const MAX_LINES = 40;

/**
 * The scripted backend's answer to a compaction request: the summary so far, then the first line
 * of each person message and of each orchestrator reply being folded in, each clipped to 100
 * characters, at most 40 lines (the oldest dropped first). It reads the engine's fold text
 * (`Person: …` / `Orchestrator: …` lines under `# Messages to fold in`, after `# Summary so far`),
 * and the messages before the request when they are sent as messages.
 *
 * @example
 * summariseConversation([{ role: "user", content: "(summarise)\n\n# Messages to fold in\n\nPerson: Add caching\nOrchestrator: Done." }])
 * // "Person: Add caching\nOrchestrator: Done."
 */
export function summariseConversation(messages: ChatMessage[]): string {
  const request = messages.at(-1)?.content ?? "";
  const lines: string[] = [];
  for (const m of messages.slice(0, -1)) {
    if (m.role === "tool" || !m.content.trim()) continue;
    lines.push(clip(`${m.role === "user" ? "Person" : "Orchestrator"}: ${m.content.trim().split("\n")[0]}`));
  }
  let part: "summary" | "messages" | undefined;
  for (const line of request.split("\n").slice(1)) {
    if (/^#\s*Summary so far/i.test(line)) part = "summary";
    else if (/^#\s*Messages to fold in/i.test(line)) part = "messages";
    else if (part === "summary" && line.trim()) lines.push(clip(line.trim()));
    // An orchestrator line that is only a tool call says nothing the runs digest does not.
    else if (part === "messages" && /^(Person|Orchestrator):\s*\S/.test(line) && !/^Orchestrator:\s*\[calls /.test(line)) lines.push(clip(line.trim()));
  }
  return lines.slice(-MAX_LINES).join("\n");
}

function clip(line: string): string {
  return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1).trimEnd()}…` : line;
}
