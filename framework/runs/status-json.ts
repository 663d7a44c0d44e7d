import type { Phase, RunContext, RunStatus } from "../coordination/run-context.ts";
import { tallyVotes } from "../coordination/tally-votes.ts";
import type { RunOwner } from "./run-liveness.ts";

/** status.json (docs/architecture.md §4, a contract): MassGen's fields plus deadline, usage and cost. */
export interface StatusJson {
  meta: {
    session_id: string;
    run_id: string;
    log_dir: string;
    question: string;
    start_time: string;
    last_updated: string;
    elapsed_seconds: number;
    /** The process that writes this run (docs/architecture.md §8): readers call a run whose process is gone `abandoned`. */
    pid: number;
    host: string;
    /** The wall-clock time of this write; status.json is rewritten every 2 s while the run goes. */
    heartbeat_at: string;
  };
  coordination: {
    phase: Phase;
    round: number;
    active_agent: string | null;
    completion_percentage: number;
    is_final_presentation: boolean;
    deadline: string | null;
  };
  agents: Record<
    string,
    {
      status: string;
      answer_count: number;
      latest_answer_label: string | null;
      vote: string | null;
      times_restarted: number;
      tokens: { input: number; output: number; cached: number };
      cost_usd: number | null;
      error: string | null;
    }
  >;
  results: {
    /** `abandoned` only as readers report a run whose process is gone (runLiveness()); a run never writes it. */
    status: RunStatus | "running" | "abandoned";
    /** Why a reader reports the run abandoned; absent in the file a run writes. */
    status_reason?: string;
    winner: string | null;
    winner_reason: string | null;
    votes: Record<string, number>;
    final_answer_path: string | null;
  };
  usage: { input_tokens: number; output_tokens: number; cached_tokens: number; cost_usd: number | null; llm_calls: number };
}

export interface StatusMeta {
  sessionId: string;
  logDir: string;
  /** Wall-clock ms at the run's start; the run's own clock gives the elapsed time. */
  wallStart: number;
  /** `meta.start_time` when it is not `wallStart`: a resumed run keeps its first start. */
  startTime?: string;
  finalAnswerPath: string | null;
  /** The process that runs it. */
  owner: RunOwner;
  /** Wall-clock ms now (the heartbeat), whatever clock the run keeps. */
  wallNow: () => number;
}

/** The phase a machine state value stands for (`done` is still finalization). */
export function phaseOf(value: unknown): Phase {
  const top = typeof value === "string" ? value : Object.keys(value as object)[0]!;
  return (top === "done" ? "finalization" : top) as Phase;
}

/**
 * Derives status.json from a snapshot of the run machine; nothing is counted on the side.
 * `done` is true once the machine has finished (finalization complete).
 */
export function statusJson(context: RunContext, value: unknown, done: boolean, now: number, meta: StatusMeta): StatusJson {
  const phase = phaseOf(value);
  const elapsedMs = now - context.startedAt;
  const iso = (clockMs: number) => new Date(meta.wallStart + (clockMs - context.startedAt)).toISOString();
  const agents: StatusJson["agents"] = {};
  for (const a of context.agents) {
    const s = context.agentStates[a.id]!;
    agents[a.id] = {
      status: s.status,
      answer_count: s.answerCount,
      latest_answer_label: s.latestAnswer ?? null,
      vote: s.vote ?? null,
      times_restarted: s.timesRestarted,
      tokens: { input: s.tokens.input_tokens, output: s.tokens.output_tokens, cached: s.tokens.cached_tokens },
      cost_usd: s.costUsd,
      error: s.error ?? null,
    };
  }
  const inPhase = phase === "generation" || phase === "voting" || phase === "presentation";
  const votes = phase === "finalization" ? context.voteCounts : tallyVotes(context).counts;
  return {
    meta: {
      session_id: meta.sessionId,
      run_id: context.runId,
      log_dir: meta.logDir,
      question: context.task,
      start_time: meta.startTime ?? iso(context.startedAt),
      last_updated: iso(now),
      elapsed_seconds: Math.round(elapsedMs / 10) / 100,
      pid: meta.owner.pid,
      host: meta.owner.host,
      heartbeat_at: new Date(meta.wallNow()).toISOString(),
    },
    coordination: {
      phase,
      round: context.round,
      active_agent: phase === "presentation" ? (context.winner ?? null) : null,
      completion_percentage: percentage(context, phase, done),
      is_final_presentation: phase === "finalization" && context.finalSettled,
      deadline: inPhase ? iso(Math.min(context.phaseDeadline, context.runDeadline)) : null,
    },
    agents,
    results: {
      status: context.status && phase === "finalization" ? context.status : "running",
      winner: phase === "finalization" || phase === "presentation" ? (context.winner ?? null) : null,
      winner_reason: phase === "finalization" || phase === "presentation" ? (context.winnerReason ?? null) : null,
      votes,
      final_answer_path: done && context.finalSettled ? meta.finalAnswerPath : null,
    },
    usage: { ...context.usage },
  };
}

function percentage(context: RunContext, phase: Phase, done: boolean): number {
  switch (phase) {
    case "planning":
      return 5;
    case "generation": {
      const n = context.participants.length || 1;
      return Math.round(10 + (30 * (n - context.pending.length)) / n);
    }
    case "voting": {
      const rounds = Math.max(1, context.settings.maxRounds - 1);
      return Math.round(40 + (40 * Math.min(rounds, context.round - 2)) / rounds);
    }
    case "presentation":
      return 85;
    case "finalization":
      return done ? 100 : 95;
  }
}
