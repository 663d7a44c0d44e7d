import { sleep, type Clock } from "../clock.ts";
import type { AgentTools } from "../coordination/agent-actor.ts";
import { MODEL_ERROR_KINDS, ModelApiError, RateLimitError, type ModelErrorKind } from "../errors.ts";
import type { Completion, CompletionRequest, ModelClient, ToolCall, Usage } from "../models/model.ts";
import { parseArguments } from "../models/stream-call.ts";

type Phase = "generation" | "voting" | "presentation";

/**
 * One record of the call journal (docs/architecture.md §4): a `run.turn` line of events.jsonl.
 * `kind: "model"` is one model call of an agent's turn that came back (a reply, or an error);
 * `kind: "tool"` is the result of one workspace tool call of that turn. `call` counts the turn's
 * records of that kind from 0; `t` is added when it is written.
 */
export type TurnRecord = {
  type: "run.turn";
  agentId: string;
  round: number;
  phase: Phase;
  call: number;
} & (
  | {
      kind: "model";
      /** What the reply was: answer, vote, present, tool_calls, text, refusal; failure when the call threw. */
      outcome: "answer" | "vote" | "present" | "tool_calls" | "text" | "refusal" | "failure";
      /** Each tool call's arguments as the model sent them (`raw_arguments`), parsed again on replay; `arguments` only in records of older versions. */
      reply?: { text: string; tool_calls: { id: string; name: string; arguments?: unknown; raw_arguments: string }[]; stop_reason: Completion["stopReason"]; model: string };
      usage?: Usage;
      /** `abort_reason` says what cut an aborted call off: a deadline, its call timeout, its turn restarted, or the run cancelled or stopped. */
      error?: { kind: string; message: string; detail?: string; status?: number; retry_after_ms?: number; aborted: boolean; abort_reason?: AbortReason };
    }
  | {
      kind: "tool";
      /** `started` is written before the tool runs, `done` with its result: a started call with no done one was cut off. */
      state: "started" | "done";
      name: string;
      /** Only in `started` records of older versions: the call's arguments are in the model record that made it. */
      arguments?: unknown;
      ok?: boolean;
      content?: string;
    }
);

/**
 * What cut an aborted call off. A `deadline`, a `call_timeout` or a `restart` falls at the same moment
 * again when the run is replayed, so the call is replayed as recorded; a `cancel` (the run cancelled,
 * interrupted or stopped) does not come again in a resumed run, so that call is made live.
 */
export type AbortReason = "deadline" | "call_timeout" | "restart" | "cancel";

// Tools a call cut off by a kill may simply run again: reads, write_file (the same content again), and
// ask_human (the question is asked again: asking has no effect of its own, and the answer was never recorded).
const RERUNNABLE = new Set(["read_file", "list_files", "search_files", "write_file", "ask_human"]);

/** Options of createTurnJournal(). */
export interface TurnJournalOptions {
  /** Writes a record to events.jsonl, flushed, before it returns (RunDirectory.journalNow). */
  write(record: TurnRecord): void;
  /** True once the run directory is frozen (the kill test hook): the run then calls nothing more. */
  frozen(): boolean;
  clock: Clock;
  /** Milliseconds since the run started, on its clock (the journal's `t`). */
  t(): number;
  /** Why the run stopped a turn just now: `cancel` once the run is cancelled or stopped, `deadline` when a deadline fired; else a restart. */
  stopCause?(): "cancel" | "deadline" | undefined;
  /** Records of an earlier process of this run (with their `t`), replayed instead of called. */
  recorded?: (TurnRecord & { t: number })[];
}

/** The call journal of one run: wraps each agent's model client and workspace tools. */
export interface TurnJournal {
  client(agentId: string, client: ModelClient): ModelClient;
  tools(agentId: string, phase: Phase, round: number, tools: AgentTools): AgentTools;
  /** True when the agent's next model call of this turn has a record, so it will be replayed, not made. */
  recordedNext(agentId: string, phase: Phase, round: number): boolean;
  /** Calls and tool results replayed from the journal, and those made for real. */
  readonly counts: { replayed: number; live: number };
}

/**
 * The call journal: every model call of an agent turn that comes back, and every tool result, is
 * written (flushed) before the agent acts on it; and a record an earlier process of the run wrote is
 * replayed instead of called again (a resumed run), at the time it was recorded, keyed by agent,
 * phase, round and call index. A run whose directory froze (the test hook) calls nothing more.
 *
 * @example
 * const journal = createTurnJournal({ write: (r) => runDir.journalNow({ t: t(), ...r }), frozen: () => runDir.frozen, clock, t });
 * const client = journal.client("alpha", createModelClient(agent, deps));
 */
export function createTurnJournal(options: TurnJournalOptions): TurnJournal {
  const recorded = new Map<string, TurnRecord & { t: number }>();
  const started = new Set<string>();
  for (const r of options.recorded ?? []) {
    const key = keyOf(r.agentId, r.phase, r.round, r.kind, r.call);
    if (r.kind === "tool" && r.state === "started") started.add(key);
    // A call the run's cancel or stop cut off is made again: nothing cuts it off in the resumed run.
    else if (r.kind === "model" && r.error?.abort_reason === "cancel") continue;
    else recorded.set(key, r);
  }
  const next = new Map<string, number>();
  const take = (agentId: string, phase: Phase, round: number, kind: "model" | "tool") => {
    const turn = keyOf(agentId, phase, round, kind);
    const call = next.get(turn) ?? 0;
    next.set(turn, call + 1);
    return { call, replay: recorded.get(`${turn}:${call}`), cutOff: started.has(`${turn}:${call}`) };
  };
  const counts = { replayed: 0, live: 0 };
  const frozenError = () => new ModelApiError("aborted", "the run's directory is frozen (CONCLAVE_FREEZE_AFTER_WRITES): the run goes no further");

  return {
    counts,
    recordedNext(agentId, phase, round) {
      const turn = keyOf(agentId, phase, round, "model");
      return recorded.get(`${turn}:${next.get(turn) ?? 0}`)?.kind === "model";
    },
    client(agentId, client) {
      return {
        backend: client.backend,
        model: client.model,
        ...(client.replayed && { replayed: client.replayed.bind(client) }),
        async complete(request: CompletionRequest): Promise<Completion> {
          const hints = request.hints;
          if (!hints) return client.complete(request);
          if (options.frozen()) throw frozenError();
          const { call, replay } = take(agentId, hints.phase, hints.round, "model");
          const base = { type: "run.turn" as const, agentId, round: hints.round, phase: hints.phase, call, kind: "model" as const };
          // A recorded call is played back in the same steps as a real one, so turns that end at the same time end in the same order.
          const replaying = replay?.kind === "model" ? replay : undefined;
          if (replaying) {
            counts.replayed++;
            client.replayed?.({ failed: replaying.error !== undefined && !replaying.error.aborted, aborted: Boolean(replaying.error?.aborted) });
          } else counts.live++;
          let completion: Completion;
          try {
            completion = replaying ? await replayCall(replaying, request, options) : await client.complete(request);
          } catch (error) {
            if (options.frozen()) throw frozenError();
            if (!replaying) options.write({ ...base, outcome: "failure", error: errorRecord(error, abortReasonOf(request.signal, options)) });
            if (options.frozen()) throw frozenError();
            throw error;
          }
          if (options.frozen()) throw frozenError();
          if (!replaying) options.write({ ...base, outcome: outcomeOf(completion, hints.phase), reply: replyRecord(completion), usage: completion.usage });
          if (options.frozen()) throw frozenError();
          return completion;
        },
      };
    },
    tools(agentId, phase, round, tools) {
      return {
        ...tools,
        async call(name, args, signal) {
          if (options.frozen()) throw frozenError();
          const { call, replay, cutOff } = take(agentId, phase, round, "tool");
          if (replay?.kind === "tool" && replay.state === "done") {
            counts.replayed++;
            return { ok: replay.ok ?? false, content: replay.content ?? "" };
          }
          const base = { type: "run.turn" as const, agentId, round, phase, call, kind: "tool" as const, name };
          let result: { ok: boolean; content: string };
          if (cutOff && !RERUNNABLE.has(name) && name !== "edit_file") {
            // It may have taken effect before the kill: not run twice; the agent is told, and decides.
            result = { ok: false, content: `Not run again: this \`${name}\` call was cut off when the run stopped and may or may not have taken effect. Check the workspace, then call it again if it is still needed.` };
          } else {
            // Its arguments are in the model call's record already: a write_file's content is not written twice.
            options.write({ ...base, state: "started" });
            if (options.frozen()) throw frozenError();
            counts.live++;
            result = await tools.call(name, args, signal);
            if (options.frozen()) throw frozenError();
            if (cutOff && name === "edit_file" && !result.ok) {
              result = { ok: false, content: `${result.content} (This edit was cut off when the run stopped and may have been made already: check the file before editing it again.)` };
            }
          }
          options.write({ ...base, state: "done", ok: result.ok, content: result.content });
          if (options.frozen()) throw frozenError();
          return result;
        },
      };
    },
  };
}

function keyOf(agentId: string, phase: string, round: number, kind: string, call?: number): string {
  return `${agentId}:${phase}:${round}:${kind}${call === undefined ? "" : `:${call}`}`;
}

// A recorded call, played back when the run's clock reaches the time it came back: its reply, or its error.
async function replayCall(record: Extract<TurnRecord, { kind: "model" }> & { t: number }, request: CompletionRequest, options: TurnJournalOptions): Promise<Completion> {
  const { signal } = request;
  if (record.error?.aborted && signal) {
    // The call was cut off (a deadline, a call timeout): the same timer cuts the replay off at the same moment.
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    throw errorOf(record.error);
  }
  // Not before the time it came back; a call that came back at once (no latency) comes back at once, with no timer.
  const wait = record.t - options.t();
  if (wait > 0) await sleep(options.clock, wait, signal);
  else if (signal?.aborted) throw signal.reason;
  if (record.error) throw errorOf(record.error);
  const reply = record.reply!;
  if (reply.text) request.onText?.(reply.text);
  const toolCalls: ToolCall[] = reply.tool_calls.map((c) => ({ id: c.id, name: c.name, arguments: "arguments" in c ? c.arguments : parseArguments(c.raw_arguments), rawArguments: c.raw_arguments }));
  return { text: reply.text, toolCalls, usage: record.usage ?? { input_tokens: 0, output_tokens: 0, cached_tokens: 0 }, stopReason: reply.stop_reason, model: reply.model };
}

function outcomeOf(completion: Completion, phase: Phase): Extract<TurnRecord, { kind: "model" }>["outcome"] {
  if (completion.stopReason === "refusal") return "refusal";
  const names = completion.toolCalls.map((c) => c.name);
  if (names.includes("new_answer")) return "answer";
  if (names.includes("vote")) return "vote";
  if (names.length) return "tool_calls";
  return phase === "presentation" ? "present" : "text";
}

function replyRecord(completion: Completion): NonNullable<Extract<TurnRecord, { kind: "model" }>["reply"]> {
  return {
    text: completion.text,
    // Only what the model sent: the parsed arguments are parsed again from it on replay, as the client parsed them.
    tool_calls: completion.toolCalls.map((c) => ({ id: c.id, name: c.name, raw_arguments: c.rawArguments })),
    stop_reason: completion.stopReason,
    model: completion.model,
  };
}

// Why the call's signal was aborted, or undefined when it was not: its own timeout says so by its reason ("call timeout").
function abortReasonOf(signal: AbortSignal | undefined, options: TurnJournalOptions): AbortReason | undefined {
  if (!signal?.aborted) return undefined;
  if (signal.reason instanceof Error && signal.reason.message === "call timeout") return "call_timeout";
  return options.stopCause?.() ?? "restart";
}

function errorRecord(error: unknown, reason: AbortReason | undefined): NonNullable<Extract<TurnRecord, { kind: "model" }>["error"]> {
  const aborted = reason !== undefined;
  const why = reason && { abort_reason: reason };
  if (error instanceof ModelApiError) {
    return {
      kind: error.kind,
      message: error.message,
      ...(error.detail !== error.message && { detail: error.detail }),
      ...(error.status !== undefined && { status: error.status }),
      ...(error instanceof RateLimitError && error.retryAfterMs !== undefined && { retry_after_ms: error.retryAfterMs }),
      aborted,
      ...why,
    };
  }
  return { kind: "error", message: error instanceof Error ? error.message : String(error), aborted, ...why };
}

function errorOf(record: NonNullable<Extract<TurnRecord, { kind: "model" }>["error"]>): Error {
  if (!(MODEL_ERROR_KINDS as readonly string[]).includes(record.kind)) return new Error(record.message);
  const options = { ...(record.status !== undefined && { status: record.status }), ...(record.detail !== undefined && { detail: record.detail }) };
  if (record.kind === "rate_limit") return new RateLimitError(record.message, { ...options, ...(record.retry_after_ms !== undefined && { retryAfterMs: record.retry_after_ms }) });
  return new ModelApiError(record.kind as ModelErrorKind, record.message, options);
}
