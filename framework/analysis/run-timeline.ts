import { labelFor } from "../coordination/run-context.ts";
import type { RunDetailVote } from "../runs/read-run-detail.ts";
import type { JournalEvent } from "../runs/run-directory.ts";

/** Times are milliseconds since the run started, on the run's clock (events.jsonl `t`). */
export interface TimelineAnswer {
  /** `alpha.2`: the agent's second answer. */
  version: string;
  agent: string;
  k: number;
  round: number;
  t: number;
  content: string;
}

/** A vote with its reason, as every reader of events.jsonl sees it. */
export type TimelineVote = RunDetailVote;

/** One model call that returned (a `run.agent.usage` event): from the agent's previous mark in its turn to its reply. */
export interface TimelineCall {
  agent: string;
  round: number;
  phase: string;
  start: number;
  end: number;
  tokens: { input: number; output: number; cached: number };
  cost_usd: number | null;
  model: string;
}

/** One agent's turn in one round: when it began and ended, and how. */
export interface TimelineTurn {
  agent: string;
  round: number;
  phase: string;
  start: number;
  end: number;
  outcome: "answer" | "vote" | "present" | "failed" | "cut_off";
}

export interface TimelineRetry {
  agent: string;
  round: number;
  t: number;
  attempt: number;
  delay_ms: number;
  error: string;
}

export interface TimelineFailure {
  agent: string;
  round: number;
  t: number;
  error: string;
  kind: string;
}

/** A new answer the novelty check refused (a failed `new_answer` tool call). */
export interface TimelineRejection {
  agent: string;
  round: number;
  t: number;
  /** The label of the existing answer it was too similar to. */
  label: string;
  similarity: number;
  limit: number;
}

export interface TimelineDeadline {
  t: number;
  round: number;
  /** `run`, or the phase whose deadline passed. */
  deadline: string;
  timed_out: string[];
}

/** A run's events.jsonl read once into what analysis asks of it. */
export interface RunTimeline {
  /** Agent ids in config order (run_description.json), then any only the events name. */
  agents: string[];
  /** Agent id → its anonymous label (A, B, …). */
  labels: Record<string, string>;
  answers: TimelineAnswer[];
  votes: TimelineVote[];
  calls: TimelineCall[];
  turns: TimelineTurn[];
  retries: TimelineRetry[];
  failures: TimelineFailure[];
  rejections: TimelineRejection[];
  deadlines: TimelineDeadline[];
  /** Each phase as it began. */
  phases: { phase: string; round: number; t: number }[];
  rounds: number;
  /** The last event's time (run.finished's for a finished run). */
  end: number;
  finished?: { status: string; winner: string | null; winner_reason: string | null };
}

const REJECTED = /too similar to answer (\S+) \(similarity ([\d.]+), the limit is ([\d.]+)\)/;

/**
 * Reads a run's events in one pass: answers, votes, model calls with their latency, turns,
 * retries, failures, novelty rejections, deadlines and phases.
 *
 * @example
 * const timeline = runTimeline(files.events, ["alpha", "beta"]);
 * timeline.calls.filter((c) => c.agent === "alpha").map((c) => c.end - c.start); // [102, 98]
 */
export function runTimeline(events: JournalEvent[], configAgents: string[]): RunTimeline {
  const agents = [...configAgents];
  const known = new Set(agents);
  const timeline: RunTimeline = { agents, labels: {}, answers: [], votes: [], calls: [], turns: [], retries: [], failures: [], rejections: [], deadlines: [], phases: [], rounds: 0, end: 0 };
  const answerCount = new Map<string, number>();
  // The turn segment now going (a generation, voting or presentation round) and each agent's turn and last mark in it.
  let segment: { phase: string; round: number; start: number } | undefined;
  let open = new Map<string, TimelineTurn>();
  const marks = new Map<string, number>();
  const closeSegment = (t: number) => {
    for (const turn of open.values()) {
      turn.end = t;
      timeline.turns.push(turn);
    }
    open = new Map();
    marks.clear();
    segment = undefined;
  };
  const turnOf = (agent: string, t: number): TimelineTurn => {
    if (!known.has(agent)) {
      known.add(agent);
      agents.push(agent);
    }
    let turn = open.get(agent);
    if (!turn) {
      turn = { agent, round: segment?.round ?? 0, phase: segment?.phase ?? "unknown", start: segment?.start ?? t, end: t, outcome: "cut_off" };
      open.set(agent, turn);
    }
    return turn;
  };
  const endTurn = (agent: string, t: number, outcome: TimelineTurn["outcome"]) => {
    const turn = turnOf(agent, t);
    turn.end = t;
    turn.outcome = outcome;
    timeline.turns.push(turn);
    open.delete(agent);
    marks.delete(agent);
  };

  for (const e of events) {
    const t = e.t;
    if (t > timeline.end) timeline.end = t;
    const agent = typeof e.agentId === "string" ? e.agentId : undefined;
    const round = typeof e.round === "number" ? e.round : (segment?.round ?? 0);
    if (round > timeline.rounds && e.type !== "run.agent.presented") timeline.rounds = round;
    switch (e.type) {
      case "run.phase": {
        const phase = String(e.phase);
        timeline.phases.push({ phase, round, t });
        closeSegment(t);
        if (phase === "generation" || phase === "voting" || phase === "presentation") segment = { phase, round, start: t };
        break;
      }
      case "run.round":
        closeSegment(t);
        segment = { phase: "voting", round, start: t };
        break;
      case "run.agent.usage": {
        if (!agent) break;
        turnOf(agent, t);
        const usage = (e.usage ?? {}) as Record<string, unknown>;
        timeline.calls.push({
          agent,
          round,
          phase: segment?.phase ?? "unknown",
          start: marks.get(agent) ?? segment?.start ?? t,
          end: t,
          tokens: { input: num(usage.input_tokens), output: num(usage.output_tokens), cached: num(usage.cached_tokens) },
          cost_usd: typeof e.cost_usd === "number" ? e.cost_usd : null,
          model: typeof e.model === "string" ? e.model : "",
        });
        marks.set(agent, t);
        break;
      }
      case "run.agent.retry":
        if (!agent) break;
        turnOf(agent, t);
        timeline.retries.push({ agent, round, t, attempt: num(e.attempt), delay_ms: num(e.delay_ms), error: String(e.error ?? "") });
        marks.set(agent, t + num(e.delay_ms));
        break;
      case "run.agent.tool_call": {
        if (!agent) break;
        turnOf(agent, t);
        marks.set(agent, t);
        const match = e.ok === false && typeof e.error === "string" ? REJECTED.exec(e.error) : null;
        if (match) timeline.rejections.push({ agent, round, t, label: match[1]!, similarity: Number(match[2]), limit: Number(match[3]) });
        break;
      }
      case "run.agent.answered": {
        if (!agent) break;
        const k = (answerCount.get(agent) ?? 0) + 1;
        answerCount.set(agent, k);
        timeline.answers.push({ version: `${agent}.${k}`, agent, k, round, t, content: String(e.content ?? "") });
        endTurn(agent, t, "answer");
        break;
      }
      case "run.agent.voted":
        if (!agent) break;
        timeline.votes.push({ voter: agent, round, t, label: String(e.label ?? ""), target: String(e.target ?? ""), reason: String(e.reason ?? "") });
        endTurn(agent, t, "vote");
        break;
      case "run.agent.presented":
        if (agent) endTurn(agent, t, "present");
        break;
      case "run.agent.failed":
        if (!agent) break;
        timeline.failures.push({ agent, round, t, error: String(e.error ?? ""), kind: String(e.kind ?? "error") });
        endTurn(agent, t, "failed");
        break;
      case "run.deadline": {
        const timedOut = Array.isArray(e.timed_out) ? e.timed_out.map(String) : [];
        timeline.deadlines.push({ t, round: segment?.round ?? timeline.rounds, deadline: String(e.deadline ?? "unknown"), timed_out: timedOut });
        for (const id of timedOut) turnOf(id, t);
        break;
      }
      case "run.finished":
        closeSegment(t);
        timeline.finished = { status: String(e.status ?? ""), winner: typeof e.winner === "string" ? e.winner : null, winner_reason: typeof e.winner_reason === "string" ? e.winner_reason : null };
        break;
    }
  }
  closeSegment(timeline.end);
  agents.forEach((id, i) => (timeline.labels[id] = labelFor(i)));
  return timeline;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
