import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { readMessages } from "./read-messages.ts";
import { storedSessionIds } from "./session-store.ts";
import type { StoredMessage } from "./session-types.ts";

/** A message that mentions the text searched for. */
export interface SessionHit {
  session_id: string;
  /** The message's place in messages.jsonl, from 0. */
  index: number;
  role: StoredMessage["role"];
  at: string;
  /** The match with some words either side, on one line. */
  excerpt: string;
}

const AROUND = 40;

/**
 * Every message under `sessionsDir` that contains `text` (case-insensitive), one hit per
 * message, oldest session first and in message order.
 *
 * @example
 * searchSessions(".conclave/sessions", "socket.io");
 * // [{ session_id: "20261202-091500-3fa9c1", index: 4, role: "user", at: "…", excerpt: "…can we use Socket.IO instead?" }]
 */
export function searchSessions(sessionsDir: string, text: string): SessionHit[] {
  const needle = text.trim().toLowerCase();
  if (needle === "") throw new ConfigError("the text to search for is empty: pass a word or phrase, such as `conclave sessions search websocket`.");
  const hits: SessionHit[] = [];
  for (const id of storedSessionIds(sessionsDir)) {
    const { messages } = readMessages(join(sessionsDir, id, "messages.jsonl"));
    messages.forEach((m, index) => {
      const haystack = [m.content, ...(m.tool_calls ?? []).map((c) => c.rawArguments)].join("\n");
      const at = haystack.toLowerCase().indexOf(needle);
      if (at >= 0) hits.push({ session_id: id, index, role: m.role, at: m.at, excerpt: excerpt(haystack, at, needle.length) });
    });
  }
  return hits;
}

// The match and up to AROUND characters either side, whitespace collapsed, ellipses where cut.
function excerpt(text: string, at: number, length: number): string {
  const start = Math.max(0, at - AROUND);
  const end = Math.min(text.length, at + length + AROUND);
  const body = text.slice(start, end).replace(/\s+/g, " ").trim();
  return `${start > 0 ? "…" : ""}${body}${end < text.length ? "…" : ""}`;
}
