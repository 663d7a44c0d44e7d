import { join } from "node:path";
import { labelFor } from "../coordination/run-context.ts";
import type { RunIndexEntry } from "../project/run-index.ts";
import { readRunRow } from "./read-run-row.ts";
import { runEvidence, runLiveness } from "./run-liveness.ts";
import type { RunResult } from "./run-result.ts";
import type { StatusJson } from "./status-json.ts";
import { readRunFile, readRunJson } from "./read-run-file.ts";

/** An answer an agent posted (`final: true` for the winner's final presentation), from events.jsonl. */
export interface RunDetailAnswer {
  agent: string;
  /** `alpha.1`, `alpha.2`…; `alpha.final` for the presentation. */
  version: string;
  /** The anonymous label the others saw (`A`, `B`…), fixed per agent for the run. */
  label: string | null;
  round: number;
  /** Milliseconds since the run started. */
  t: number;
  content: string;
  final: boolean;
}

/** A vote with its reason, from events.jsonl. */
export interface RunDetailVote {
  voter: string;
  round: number;
  t: number;
  label: string;
  /** The answer version voted for, `beta.1`. */
  target: string;
  reason: string;
}

/** GET /api/runs/<id>: the run's row, its files and its answers and votes. */
export interface RunDetail {
  run: RunIndexEntry;
  /** status.json, with `abandoned` as readers report it; null before the run's first status. */
  status: StatusJson | null;
  result: RunResult | null;
  description: Record<string, unknown> | null;
  answers: RunDetailAnswer[];
  votes: RunDetailVote[];
  /** The winner's changes (final/<winner>/changes.patch) as text, when the run wrote one; cut at PATCH_CHARS. */
  patch: string | null;
}

/** The most of a patch a run's detail carries (the whole stays in the run directory). */
export const PATCH_CHARS = 200_000;

/**
 * Everything a viewer shows of one run directory: its row (as `conclave runs` lists it), status.json
 * (a run whose process is gone reads `abandoned`, with results.status_reason, as `conclave status`
 * says), result.json when it has finished, run_description.json, and every answer and vote with
 * its reason, in the order events.jsonl recorded them.
 *
 * @example
 * readRunDetail("/p/runs/20261121-101500-3f9a1c2b7d4e").votes[0]; // { voter: "alpha", label: "B", target: "beta.1", reason: "…", round: 2, t: 200 }
 */
export function readRunDetail(dir: string): RunDetail {
  const description = readRunJson<Record<string, unknown>>(dir, "run_description.json") ?? null;
  const result = readRunJson<RunResult>(dir, "result.json") ?? null;
  let status = readRunJson<StatusJson>(dir, "status.json") ?? null;
  if (status?.results?.status === "running" && !result) {
    const liveness = runLiveness(runEvidence(status, undefined));
    if (!liveness.alive) status = { ...status, results: { ...status.results, status: "abandoned", status_reason: liveness.reason } };
  }
  const order = Array.isArray(description?.agents) ? (description.agents as { id?: unknown }[]).map((a) => a.id) : [];
  const labelOf = (agent: string) => (order.includes(agent) ? labelFor(order.indexOf(agent)) : null);
  const answers: RunDetailAnswer[] = [];
  const votes: RunDetailVote[] = [];
  const posted = new Map<string, number>();
  for (const line of (readRunFile(dir, "events.jsonl") ?? "").split("\n")) {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a blank line, or the last one while it is being written
    }
    const agent = String(event.agentId ?? "");
    const round = Number(event.round ?? 0);
    const t = Number(event.t ?? 0);
    if (event.type === "run.agent.answered" || event.type === "run.agent.presented") {
      const final = event.type === "run.agent.presented";
      const k = final ? 0 : (posted.get(agent) ?? 0) + 1;
      if (!final) posted.set(agent, k);
      answers.push({ agent, version: final ? `${agent}.final` : `${agent}.${k}`, label: labelOf(agent), round, t, content: String(event.content ?? ""), final });
    } else if (event.type === "run.agent.voted") {
      votes.push({ voter: agent, round, t, label: String(event.label ?? ""), target: String(event.target ?? ""), reason: String(event.reason ?? "") });
    }
  }
  // The patch is read as a file of the run directory (never followed through a link), by the winner's id.
  const winner = result?.winner;
  const text = winner && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(winner) ? readRunFile(dir, join("final", winner, "changes.patch")) : undefined;
  const patch = text === undefined ? null : text.length <= PATCH_CHARS ? text : `${text.slice(0, PATCH_CHARS)}\n… (cut here: the whole patch is final/${winner}/changes.patch)`;
  return { run: readRunRow(dir), status, result, description, answers, votes, patch };
}
