import { join } from "node:path";
import { systemClock, type Clock } from "../clock.ts";
import { launchRunResult } from "../runs/launch-run.ts";
import type { RunResult } from "../runs/run-result.ts";
import { conversationDigest } from "./conversation-digest.ts";
import { holdSessionLock } from "./session-lock.ts";
import { appendMessage, createStoredSession, openStoredSession, readSessionRecord, resolveSessionId, saveRecord } from "./session-store.ts";
import type { SessionUsage } from "./session-types.ts";

/** How much of the earlier conversation a follow-up `conclave ask` is given (characters). */
export const ASK_DIGEST_CHARS = 8000;

/** One `conclave ask` as a turn of a session: what its run is told, and how the turn is recorded. */
export interface AskSession {
  /** The session continued; null for a new one, made when the run starts. */
  readonly id: string | null;
  /** This turn's number in the session, from 1. */
  readonly turn: number;
  /** The digest of the earlier questions and final answers (`# The conversation so far` …); undefined for a new session. */
  readonly context: string | undefined;
  /** The run started: the question is recorded (in a new session if needed), and the run, as running. Returns the session's id. */
  started(run: { runId: string; logDir: string }): string;
  /** The run ended: the final answer (or why there is none) is recorded, with the run's status, result and spend. */
  finished(result: RunResult): void;
  /** Lets the session go (its lock), whether or not the run happened; safe to call twice. */
  release(): void;
}

/**
 * The session a `conclave ask` records its turn in: a new one under `sessionsDir`, or, with
 * `continueFrom` (an id or "latest"), an earlier one, whose questions and answers the run then
 * gets as its context. Nothing is written until the run starts, so a refused or invalid ask
 * leaves no session behind.
 *
 * @example
 * const session = openAskSession(".conclave/sessions", { task, continueFrom: "latest" });
 * const result = await run({ task, context: session.context, onStart: (s) => session.started(s) });
 * session.finished(result);
 */
export function openAskSession(sessionsDir: string, options: { task: string; continueFrom?: string; clock?: Clock }): AskSession {
  const clock = options.clock ?? systemClock;
  // A continued session is taken for this process (session.lock) before it is read, so a chat on it meanwhile cannot overwrite this turn.
  const continued = options.continueFrom === undefined ? undefined : resolveSessionId(sessionsDir, options.continueFrom);
  let lock = continued === undefined ? undefined : holdSessionLock(join(sessionsDir, continued), continued);
  let earlier;
  try {
    earlier = continued === undefined ? undefined : openStoredSession(sessionsDir, continued);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const digest = earlier ? conversationDigest(earlier.messages, ASK_DIGEST_CHARS) : "";
  let dir = earlier?.dir;
  let id = earlier?.id ?? null;
  let runId = "";
  const now = () => new Date(clock.now()).toISOString();
  return {
    get id() {
      return id;
    },
    turn: (earlier?.record.turns ?? 0) + 1,
    context: digest === "" ? undefined : digest,
    started(run) {
      if (dir === undefined) {
        const made = createStoredSession(sessionsDir, { project: null, title: titleOf(options.task), clock });
        [dir, id] = [made.dir, made.id];
        lock = holdSessionLock(made.dir, made.id);
      }
      runId = run.runId;
      const at = now();
      appendMessage(dir, { role: "user", content: options.task, at });
      const record = readSessionRecord(dir);
      record.runs.push({ run_id: run.runId, task: options.task, status: "running", cost_usd: null, log_dir: run.logDir, launched_at: at });
      saveRecord(dir, { ...record, updated_at: at });
      return id!;
    },
    finished(result) {
      if (dir === undefined) return;
      const at = now();
      const answer = result.answer?.trim() ? result.answer.trim() : `(no answer: the run ended ${result.status}${result.status_reason ? `: ${result.status_reason}` : ""})`;
      appendMessage(dir, { role: "assistant", content: answer, at });
      const record = readSessionRecord(dir);
      const entry = record.runs.find((r) => r.run_id === runId);
      if (entry) Object.assign(entry, { status: result.status, cost_usd: result.usage.cost_usd, result: launchRunResult(result) });
      saveRecord(dir, { ...record, turns: record.turns + 1, updated_at: at, usage: { ...record.usage, runs: addRunUsage(record.usage.runs, result.usage) } });
      lock?.release();
    },
    release: () => lock?.release(),
  };
}

// A session's title from its first question: its first line, at most 80 characters.
function titleOf(task: string): string {
  const line = task.trim().split("\n")[0]!.trim();
  return line.length > 80 ? `${line.slice(0, 79).trimEnd()}…` : line;
}

function addRunUsage(total: SessionUsage, run: RunResult["usage"]): SessionUsage {
  return {
    input_tokens: total.input_tokens + run.input_tokens,
    output_tokens: total.output_tokens + run.output_tokens,
    cached_tokens: total.cached_tokens + run.cached_tokens,
    cost_usd: total.cost_usd === null || run.cost_usd === null ? null : total.cost_usd + run.cost_usd,
    calls: total.calls + run.llm_calls,
  };
}
