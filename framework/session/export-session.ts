import { ConfigError } from "../errors.ts";
import { sessionCost } from "./list-sessions.ts";
import { SESSION_EXPORT_FORMAT, type SessionExport } from "./session-schema.ts";
import { openStoredSession } from "./session-store.ts";
import type { SessionRecord, SessionUsage, StoredMessage } from "./session-types.ts";

/** The formats `exportSession` writes. */
export const EXPORT_FORMATS = ["md", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const TOOL_RESULT_CHARS = 400;
const TOOL_ARGS_CHARS = 160;

/**
 * A session as text: `json` is `{ format: "conclave-session/1", session, messages }` (what
 * `importSession` reads back); `md` a transcript for people: title, project, dates and cost, then
 * every message (**you**, **orchestrator**), each tool call on one line, tool results clipped.
 *
 * @example
 * writeFileSync("session.md", exportSession(".conclave/sessions", "latest", "md"));
 */
export function exportSession(sessionsDir: string, idOrLatest: string, format: ExportFormat): string {
  if (!EXPORT_FORMATS.includes(format)) throw new ConfigError(`the export format must be md or json, got "${String(format)}".`);
  const { record, messages } = openStoredSession(sessionsDir, idOrLatest);
  if (format === "json") {
    const value: SessionExport = { format: SESSION_EXPORT_FORMAT, session: record, messages };
    return `${JSON.stringify(value, null, 2)}\n`;
  }
  return transcript(record, messages);
}

function transcript(record: SessionRecord, messages: StoredMessage[]): string {
  const lines = [
    `# ${record.title || "Session"}`,
    "",
    `- Session: ${record.id}${record.forked_from ? ` (forked from ${record.forked_from})` : ""}`,
    `- Project: ${record.project ?? "(none)"}`,
    `- Created: ${record.created_at}`,
    `- Updated: ${record.updated_at}`,
    `- Turns: ${record.turns}`,
    `- Cost: ${usd(sessionCost(record))} (conversation ${spend(record.usage.conversation)}; runs ${spend(record.usage.runs)})`,
  ];
  if (record.runs.length > 0) {
    lines.push("", "## Runs", "");
    for (const r of record.runs) lines.push(`- ${r.run_id} ${r.status}, ${usd(r.cost_usd)}: ${oneLine(r.task, 120)}`);
  }
  if (record.compaction) lines.push("", `## Summary of messages 1–${record.compaction.upto}`, "", record.compaction.summary.trim());
  lines.push("", "## Messages");
  for (const m of messages) lines.push("", ...messageLines(m));
  return `${lines.join("\n")}\n`;
}

function messageLines(m: StoredMessage): string[] {
  if (m.role === "tool") return [`> **tool result** (${m.name ?? m.tool_call_id ?? "tool"}, ${m.at}): ${oneLine(m.content, TOOL_RESULT_CHARS)}`];
  const out = [`**${m.role === "user" ? "you" : "orchestrator"}** (${m.at}):`];
  if (m.content.trim()) out.push("", m.content.trim());
  for (const call of m.tool_calls ?? []) out.push("", `- tool call: \`${call.name}\` ${oneLine(call.rawArguments, TOOL_ARGS_CHARS)}`);
  return out;
}

function spend(u: SessionUsage): string {
  return `${usd(u.cost_usd)}, ${u.calls} call${u.calls === 1 ? "" : "s"}, ${u.input_tokens + u.output_tokens} tokens`;
}

function usd(value: number | null): string {
  return value === null ? "n/a" : `$${value.toFixed(4)}`;
}

// Text on one line, whitespace collapsed, clipped with an ellipsis.
function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}
