import { join } from "node:path";
import { readMessages } from "./read-messages.ts";
import { readSessionRecord, storedSessionIds } from "./session-store.ts";
import type { SessionRecord, StoredMessage } from "./session-types.ts";

/** One session as `conclave sessions` lists it. */
export interface SessionRow {
  id: string;
  title: string;
  project: string | null;
  created_at: string;
  updated_at: string;
  turns: number;
  runs: number;
  /** The conversation's calls and the runs' together; null when either is unknown (a model without a price). */
  cost_usd: number | null;
  /** The last message from the person or the orchestrator, on one line (at most 120 characters). */
  preview: string;
  /** Why the session could not be read; its other fields are then placeholders. */
  problem?: string;
}

const PREVIEW_CHARS = 120;

/**
 * The sessions under `sessionsDir`, newest `updated_at` last. A session whose files cannot be
 * read is listed with `problem` saying why, rather than hiding it or failing the whole list.
 *
 * @example
 * for (const row of listSessions(".conclave/sessions")) console.log(row.id, row.turns, row.preview);
 */
export function listSessions(sessionsDir: string): SessionRow[] {
  const rows = storedSessionIds(sessionsDir).map((id) => readRow(join(sessionsDir, id), id));
  return rows.sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id.localeCompare(b.id));
}

/**
 * What a session has spent: the conversation's own calls plus its runs'; null when either is unknown.
 *
 * @example
 * sessionCost(record); // 0.0123
 */
export function sessionCost(record: SessionRecord): number | null {
  const { conversation, runs } = record.usage;
  return conversation.cost_usd === null || runs.cost_usd === null ? null : conversation.cost_usd + runs.cost_usd;
}

/**
 * The last message of the person or the orchestrator, on one line, clipped: what a list shows.
 *
 * @example
 * lastMessagePreview(messages, 60); // "Handler module done and verified."
 */
export function lastMessagePreview(messages: StoredMessage[], max = PREVIEW_CHARS): string {
  const last = messages.findLast((m) => m.role !== "tool" && m.content.trim() !== "");
  if (!last) return "";
  const line = last.content.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

function readRow(dir: string, id: string): SessionRow {
  try {
    const record = readSessionRecord(dir);
    const { messages } = readMessages(join(dir, "messages.jsonl"));
    return {
      id,
      title: record.title,
      project: record.project,
      created_at: record.created_at,
      updated_at: record.updated_at,
      turns: record.turns,
      runs: record.runs.length,
      cost_usd: sessionCost(record),
      preview: lastMessagePreview(messages),
    };
  } catch (error) {
    return { id, title: "", project: null, created_at: "", updated_at: "", turns: 0, runs: 0, cost_usd: null, preview: "", problem: (error as Error).message };
  }
}
