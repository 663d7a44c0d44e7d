import type { ConfigInput } from "../config/config-schema.ts";
import type { Clock } from "../clock.ts";
import type { ToolCall, Usage } from "../models/model.ts";
import type { RunCard } from "../runs/run-card.ts";
import type { LaunchRunArgs, LaunchRunResult } from "../runs/launch-run.ts";
import type { Project } from "../project/project.ts";
import type { StatusJson } from "../runs/status-json.ts";

/** Tokens and USD of one side of a session's spend (the conversation's own calls, or its runs). */
export interface SessionUsage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  /** null once a call of a model without a price was made. */
  cost_usd: number | null;
  calls: number;
}

/** A run launched from a session, as session.json records it. */
export interface SessionRun {
  run_id: string;
  task: string;
  status: string;
  cost_usd: number | null;
  log_dir: string;
  launched_at: string;
  /** The compact result once it ended (what launch_run returned). */
  result?: LaunchRunResult;
  /** The launch arguments, with their defaults. */
  args?: LaunchRunArgs;
  /** The plan run an execute run carries out (`execute_after_planning`). */
  parent_run?: string;
  /** Why a run left running by a process that is gone was settled as it was, when the session was opened again. */
  status_reason?: string;
}

/** `<sessions>/<id>/session.json`, replaced atomically after every message (the contract). */
export interface SessionRecord {
  id: string;
  /** The project's directory (absolute), or null for a session without one. */
  project: string | null;
  title: string;
  created_at: string;
  updated_at: string;
  /** Person messages answered so far. */
  turns: number;
  runs: SessionRun[];
  usage: { conversation: SessionUsage; runs: SessionUsage };
  /** The summary of messages[0..upto) once older messages were compacted; null before. */
  compaction: { summary: string; upto: number } | null;
  /** The session this one was forked from, if any. */
  forked_from?: string;
}

/** One line of `messages.jsonl`, appended after every message; never rewritten. */
export interface StoredMessage {
  role: "user" | "assistant" | "tool";
  content: string;
  /** The assistant's tool calls. */
  tool_calls?: ToolCall[];
  /** The tool call a tool message answers, and its name. */
  tool_call_id?: string;
  name?: string;
  usage?: Usage & { cost_usd?: number | null };
  at: string;
}

/** The answer to an approval card. */
export type ApprovalAnswer = { action: "approve" } | { action: "edit"; agents: string[] } | { action: "cancel" };

/**
 * What a session says while it works; front ends (the REPL, the MCP server, the web page)
 * render these. Events that wait for a person (`approval.request`, `query`) carry `respond`.
 */
export type SessionEvent =
  | { type: "message.delta"; text: string }
  | { type: "message"; role: "assistant"; content: string }
  | { type: "run.launched"; run_id: string; log_dir: string; task: string; args: LaunchRunArgs }
  | { type: "run.progress"; run_id: string; status: StatusJson; line: string }
  | { type: "approval.request"; card: RunCard; task: string; reason: string; respond: (answer: ApprovalAnswer) => void }
  | {
      type: "query";
      /** The query's id on the session's query board (`q1`, `q2`…). */
      id?: string;
      run_id: string;
      /** The agent that asks, when the run says. */
      agent?: string | null;
      question: string;
      options?: string[];
      context?: string;
      respond: (answer: string | null) => void;
      /** Aborted when the run no longer waits for the answer (nobody answered within coordination.timeouts.human, or the run ended). */
      signal?: AbortSignal;
    }
  | { type: "run.finished"; run_id: string; result: LaunchRunResult }
  | { type: "compacted"; upto: number; summary: string }
  | { type: "notice"; line: string };

export interface OpenSessionOptions {
  /** A project directory, or an opened Project; without one the session lives under `.conclave/sessions/`. */
  project?: string | Project;
  /** A config file path or object (default as for run(): CONCLAVE_CONFIG, ./configs/default.yaml, Conclave's own). */
  config?: string | ConfigInput;
  /** Continue a session: its id, or "latest". */
  resume?: string;
  /** With `resume`: continue a copy under a new id, leaving the original as it was. */
  fork?: boolean;
  /** Approve every run without asking (`--yes`); approval.request is never sent. */
  autoApprove?: boolean;
  /** Force the scripted backend for the orchestrator and every run (dry run). */
  dryRun?: boolean;
  /** Where sessions/ goes when there is no project (default `.conclave/sessions`). */
  sessionsDir?: string;
  /** Where runs go when there is no project (default `.conclave/runs`). */
  runsDir?: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

/** One conversation with the orchestrator, kept on disk. */
export interface Session {
  readonly id: string;
  readonly dir: string;
  /** session.json as it is now (a copy). */
  record(): SessionRecord;
  /** Every message so far, oldest first (messages.jsonl). */
  messages(): StoredMessage[];
  /**
   * One person turn: the events until the orchestrator's reply (a `message`). A run launched
   * with `wait: false` goes on after the turn; its events reach `subscribe` listeners.
   * Aborting `signal` ends the turn (the runs it waits for are cancelled).
   */
  send(text: string, options?: { signal?: AbortSignal }): AsyncIterable<SessionEvent>;
  /** A turn that is not the person's: on resume, the orchestrator says where things stand. Not counted in `turns`. */
  recap(): AsyncIterable<SessionEvent>;
  /** Every event, in or out of a turn (background runs finishing between turns). Returns the unsubscribe. */
  subscribe(listener: (event: SessionEvent) => void): () => void;
  /** Cancels a run of this session; its launch_run returns the partial result. */
  cancelRun(runId: string, reason?: string): boolean;
  /** A note from the person to a running run (default: the only/newest running one); false when none runs. */
  tell(note: string, runId?: string): boolean;
  /** The ids of this session's runs still running. */
  running(): string[];
  /** What the orchestrator would see now: the system prompt and the messages, with their token estimate. */
  context(): { system: string; messages: { role: string; content: string }[]; tokens: number };
  /** Cancels the runs still running (they finish as cancelled, their partial results kept), waits for them, and writes session.json one last time. */
  close(): Promise<void>;
}
