import { basename } from "node:path";
import type { SessionRecord } from "../session/session-types.ts";
import { formatUsd } from "./format-usd.ts";

/**
 * The line the REPL shows above each prompt: the project, the session, what it is doing, and
 * what it has spent (the conversation's own calls and its runs together). `idle` before any run;
 * `running N run(s)` while runs work; `complete · N run(s)` once every run has ended.
 *
 * @example
 * contextBar(session.record(), session.running().length);
 * // "demo · 20261202-010203-ab12cd · running 1 run · $0.0123"
 */
export function contextBar(record: SessionRecord, running: number): string {
  const project = record.project === null ? "no project" : basename(record.project);
  const runs = record.runs.length;
  const plural = (n: number) => `${n} run${n === 1 ? "" : "s"}`;
  const state = running > 0 ? `running ${plural(running)}` : runs === 0 ? "idle" : `complete · ${plural(runs)}`;
  return `${project} · ${record.id} · ${state} · ${formatUsd(sessionCost(record))}`;
}

/** The session's whole spend in USD: its conversation and its runs; null once a call without a price was made. */
export function sessionCost(record: SessionRecord): number | null {
  const { conversation, runs } = record.usage;
  return conversation.cost_usd === null || runs.cost_usd === null ? null : conversation.cost_usd + runs.cost_usd;
}
