import type { RunContext, RunStatus, RunUsage } from "../coordination/run-context.ts";
import type { RunChanges } from "./run-workspaces.ts";

/** What a run returns, and what result.json holds. A failed or timed-out run is a result, not an exception. */
export interface RunResult<T = unknown> {
  run_id: string;
  status: RunStatus;
  /** Why the run ended as it did, when not simply completed. */
  status_reason?: string;
  winner: string | null;
  winner_reason: string | null;
  /** The final answer, or null when nobody answered. */
  answer: string | null;
  /** The structured data of the winning answer, validated against the run's `output` schema. */
  data?: T;
  /** Valid votes per answer version. */
  votes: Record<string, number>;
  answers: { version: string; agent: string; label: string; round: number }[];
  agents: Record<string, { status: string; answers: number; vote: string | null; tokens: RunUsage; error: string | null }>;
  usage: RunUsage;
  log_dir: string;
  final_answer_path: string | null;
  /** In runs that write: the winner's changes (final/<winner>/changes.patch), whether they were written back, what merged and what conflicted. */
  changes?: RunChanges;
  started_at: string;
  elapsed_seconds: number;
}

/** Builds the RunResult from the machine's final context. */
export function runResultOf<T = unknown>(context: RunContext, meta: { logDir: string; finalAnswerPath: string | null; startedAt: string; elapsedMs: number }): RunResult<T> {
  const agents: RunResult["agents"] = {};
  for (const a of context.agents) {
    const s = context.agentStates[a.id]!;
    agents[a.id] = {
      status: s.status,
      answers: s.answerCount,
      vote: s.vote ?? null,
      tokens: { ...s.tokens, cost_usd: s.costUsd, llm_calls: s.llmCalls },
      error: s.error ?? null,
    };
  }
  return {
    run_id: context.runId,
    status: context.status ?? "failed",
    ...(context.statusReason && { status_reason: context.statusReason }),
    winner: context.winner ?? null,
    winner_reason: context.winnerReason ?? null,
    answer: context.finalAnswer ?? null,
    ...(context.finalData !== undefined && { data: context.finalData as T }),
    votes: context.voteCounts,
    answers: context.answers.map((a) => ({ version: a.version, agent: a.agentId, label: a.label, round: a.round })),
    agents,
    usage: { ...context.usage },
    log_dir: meta.logDir,
    final_answer_path: meta.finalAnswerPath,
    started_at: meta.startedAt,
    elapsed_seconds: Math.round(meta.elapsedMs / 10) / 100,
  };
}
