import { estimateTokens } from "../models/estimate-tokens.ts";
import type { StoredMessage } from "./session-types.ts";

/** Compaction folds the context down to this share of the limit, so it does not run again next turn. */
export const COMPACT_TARGET = 0.6;
/** The most of the limit the summary itself may take. */
export const SUMMARY_SHARE = 1 / 6;

function tokensOf(m: StoredMessage): number {
  return estimateTokens(m.content) + (m.tool_calls ?? []).reduce((n, c) => n + estimateTokens(c.rawArguments + c.name), 0) + 4;
}

/**
 * Where the verbatim window should start so the request fits: `null` when it fits as it is.
 * Past `limit`, the window is cut to about COMPACT_TARGET of it, never into the last
 * `keepRecent` messages, and at a person message so a tool call stays with its result.
 *
 * @example
 * const upto = compactionPoint(messages, 0, 3000, 24000, 10); // e.g. 812: summarise messages[0..812)
 */
export function compactionPoint(messages: StoredMessage[], from: number, fixedTokens: number, limit: number, keepRecent: number): number | null {
  const window = messages.slice(from);
  const total = fixedTokens + window.reduce((n, m) => n + tokensOf(m), 0);
  if (total <= limit) return null;
  const budget = Math.max(0, limit * COMPACT_TARGET - fixedTokens - limit * SUMMARY_SHARE);
  const latest = Math.max(from, messages.length - keepRecent);
  // Walk back from the end while the window fits the budget; the keep_recent messages always stay.
  let start = messages.length;
  let size = 0;
  while (start > from) {
    const t = tokensOf(messages[start - 1]!);
    if (start <= latest && size + t > budget) break;
    size += t;
    start--;
  }
  // Start at a person message: forward when that stays before the protected tail, else back.
  let at = start;
  while (at < latest && messages[at]!.role !== "user") at++;
  if (at >= latest || messages[at]!.role !== "user") {
    at = Math.min(start, latest);
    while (at > from && messages[at]!.role !== "user") at--;
  }
  return at > from ? at : null;
}

/** The messages to fold as the summariser reads them: one `Person:` / `Orchestrator:` / `Tool:` block each, clipped. */
export function foldText(previous: string | null, messages: StoredMessage[], maxChars: number): string {
  const lines = messages.map((m) => {
    const who = m.role === "user" ? "Person" : m.role === "assistant" ? "Orchestrator" : `Tool ${m.name ?? ""}`.trim();
    const calls = (m.tool_calls ?? []).map((c) => ` [calls ${c.name} ${c.rawArguments.slice(0, 200)}]`).join("");
    return `${who}: ${m.content.replace(/\s+/g, " ").trim().slice(0, 600)}${calls}`;
  });
  let body = lines.join("\n");
  // Keep the newest when it is all too long: the summary so far carries the oldest.
  if (body.length > maxChars) body = body.slice(body.length - maxChars);
  return `${previous ? `# Summary so far\n\n${previous}\n\n` : ""}# Messages to fold in\n\n${body}`;
}

/** A summary cut to the share of the limit it may take. */
export function capSummary(summary: string, limit: number): string {
  const maxChars = Math.floor(limit * SUMMARY_SHARE * 4);
  return summary.length <= maxChars ? summary.trim() : `${summary.slice(0, maxChars).trimEnd()}…`;
}
