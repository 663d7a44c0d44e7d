import { existsSync } from "node:fs";
import { join } from "node:path";
import { analyzeRun } from "../analysis/analyze-run.ts";
import { compactAnalysis } from "../analysis/compact-analysis.ts";
import { systemClock } from "../clock.ts";
import { loadConfig, validateConfig } from "../config/load-config.ts";
import type { ConclaveConfig } from "../config/config-schema.ts";
import { loadPrices } from "../config/load-prices.ts";
import { ConfigError, ModelApiError } from "../errors.ts";
import { costOf, priceOf } from "../models/cost.ts";
import { createModelClient } from "../models/create-model-client.ts";
import { estimateRequestTokens } from "../models/estimate-tokens.ts";
import type { Completion, ModelClient } from "../models/model.ts";
import { RECAP_PREFIX } from "../models/scripted/orchestrator-policy.ts";
import { SUMMARISE_PREFIX } from "../models/scripted/summarise-conversation.ts";
import { withRetries } from "../models/with-retries.ts";
import { openProject } from "../project/open-project.ts";
import type { Project } from "../project/project.ts";
import { describeRun } from "../runs/run-card.ts";
import { createRunNotes, type RunNotes } from "../runs/run-notes.ts";
import { readRunDetail } from "../runs/read-run-detail.ts";
import { launchRunOptions, launchRunResult, type LaunchRunArgs, type LaunchRunResult } from "../runs/launch-run.ts";
import { createQueryBoard } from "../runs/query-board.ts";
import { defaultConfigPath, type RunOptions } from "../runs/run-options.ts";
import { executionOfPlan, run } from "../runs/run.ts";
import type { RunResult } from "../runs/run-result.ts";
import type { StatusJson } from "../runs/status-json.ts";
import type { HumanQuery } from "../workspace/human-query.ts";
import { capSummary, compactionPoint, foldText } from "./compaction.ts";
import { conversationDigest } from "./conversation-digest.ts";
import { callOrchestratorTool, ORCHESTRATOR_TOOLS, type ToolHost } from "./orchestrator-tools.ts";
import { orchestratorPrompt } from "./orchestrator-prompt.ts";
import { projectBrief } from "./project-brief.ts";
import { runsDigest } from "./runs-digest.ts";
import { buildContext, toChatMessages, type BuiltContext } from "./session-context.ts";
import { holdSessionLock } from "./session-lock.ts";
import { settleLeftoverRuns } from "./settle-leftover-runs.ts";
import { appendMessage, createStoredSession, forkStoredSession, openStoredSession, resolveSessionId, saveRecord } from "./session-store.ts";
import { sessionsDirFor } from "./sessions-dir-for.ts";
import type { ApprovalAnswer, OpenSessionOptions, Session, SessionEvent, SessionRecord, SessionUsage, StoredMessage } from "./session-types.ts";

/** The most model calls one person turn may make before the orchestrator must answer. */
export const MAX_STEPS_PER_TURN = 16;
/** The conversation digest a run launched from the session receives, in characters. */
export const RUN_DIGEST_CHARS = 8000;
const DEFAULT_TITLE = "(new session)";

interface RunEntry {
  runId: string;
  logDir: string;
  controller: AbortController;
  notes: RunNotes;
  status?: StatusJson;
  done: Promise<RunResult | undefined>;
  result?: RunResult;
  /** The run is over: it returned a result, or run() failed. */
  ended: boolean;
}

/**
 * Opens a session: a conversation with the orchestrator, kept on disk under the project's
 * `sessions/` (or `.conclave/sessions/`), new or resumed. `send()` plays one person turn: the
 * orchestrator answers itself or launches runs through its tools; every event is yielded as
 * it happens.
 *
 * @example
 * const session = await openSession({ project: "projects/demo", config: "configs/offline.yaml" });
 * for await (const ev of session.send("What is the state of the project?")) if (ev.type === "message") console.log(ev.content);
 */
export async function openSession(options: OpenSessionOptions = {}): Promise<Session> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const project: Project | undefined = typeof options.project === "string" ? openProject(options.project) : options.project;
  const config = resolveSessionConfig(options.config, env);
  const configOption = options.config ?? defaultConfigPath(env);
  const dir = sessionsDirFor({ ...(project && { projectDir: project.dir }), ...(options.sessionsDir && { sessionsDir: options.sessionsDir }) });
  if (options.fork && !options.resume) throw new ConfigError("`fork` continues a copy of a session: give `resume` too (an id, or latest).");

  const orchestrator = { id: config.orchestrator.id, ...(config.orchestrator.system && { system: config.orchestrator.system }), backend: config.orchestrator.backend };
  const client: ModelClient = createModelClient(orchestrator, { clock, env, idleMs: config.coordination.timeouts.idle * 1000, ...(options.dryRun && { forceScripted: true }) });
  const prices = loadPrices(env);
  const prompt = orchestratorPrompt(config, env, options.dryRun);
  const interactive = config.interactive;
  const retry = {
    retries: config.coordination.retry.attempts,
    baseDelayMs: config.coordination.retry.base_delay * 1000,
    maxDelayMs: config.coordination.retry.max_delay * 1000,
    maxRetryAfterMs: config.coordination.retry.max_retry_after * 1000,
  };

  // One process writes a session at a time: its lock is taken before the session is read.
  const id = options.resume ? (options.fork ? forkStoredSession(dir, options.resume).id : resolveSessionId(dir, options.resume)) : createStoredSession(dir, { project: project?.dir ?? null, title: DEFAULT_TITLE }).id;
  const lock = holdSessionLock(join(dir, id), id);
  let opened;
  try {
    opened = openStoredSession(dir, id);
  } catch (error) {
    lock.release();
    throw error;
  }
  const record: SessionRecord = opened.record;
  const messages: StoredMessage[] = [...opened.messages];
  const sessionDir = opened.dir;
  const settled = settleLeftoverRuns(record);

  const runs = new Map<string, RunEntry>();
  const said = new Set<string>();
  const listeners = new Set<(event: SessionEvent) => void>();
  let turn: { push(event: SessionEvent): void } | undefined;
  const emit = (event: SessionEvent) => {
    turn?.push(event);
    for (const listener of listeners) listener(event);
  };
  const save = () => {
    record.updated_at = new Date().toISOString();
    saveRecord(sessionDir, record);
  };
  // Every message is appended, then session.json rewritten (title, usage, updated_at), so a kill loses at most the message being written.
  const remember = (message: StoredMessage) => {
    messages.push(message);
    appendMessage(sessionDir, message);
    save();
  };
  const running = () => [...runs.values()].filter((r) => !r.ended).map((r) => r.runId);
  if (settled > 0) save();
  // Runs being started, and every run's end: close() cancels and awaits them.
  const starting = new Set<AbortController>();
  const inflight = new Set<Promise<unknown>>();

  const spend = () => {
    const c = record.usage.conversation.cost_usd;
    const r = record.usage.runs.cost_usd;
    return { conversation: c, runs: r, total: c === null || r === null ? null : c + r };
  };
  const spendSection = () => {
    const s = spend();
    const budget = interactive.budget_usd;
    return `# Spend\n\nThis session has spent ${usd(s.conversation)} on the conversation and ${usd(s.runs)} on runs (${usd(s.total)} in all)${budget !== undefined ? `, of a budget of $${budget} (interactive.budget_usd): runs are refused once it is spent` : ""}.`;
  };

  const build = (maxMessageChars?: number): BuiltContext =>
    buildContext({
      prompt,
      project: projectBrief(project),
      runs: runsDigest(record, new Set(running())),
      spend: spendSection(),
      summary: record.compaction?.summary ?? null,
      messages,
      from: record.compaction?.upto ?? 0,
      tools: ORCHESTRATOR_TOOLS,
      ...(maxMessageChars !== undefined && { maxMessageChars }),
    });
  // The request within max_context_tokens: compacted first, long messages clipped when even that is not enough.
  const contextNow = (): BuiltContext => {
    const built = build();
    if (built.tokens <= interactive.max_context_tokens) return built;
    const fixed = estimateRequestTokens({ system: built.system, messages: [], tools: ORCHESTRATOR_TOOLS });
    const room = Math.max(200, (interactive.max_context_tokens - fixed) * 4);
    let cap = Math.max(100, Math.floor(room / Math.max(1, built.messages.length)));
    let clipped = build(cap);
    for (let tries = 0; tries < 8 && clipped.tokens > interactive.max_context_tokens && cap > 100; tries++) clipped = build((cap = Math.max(100, Math.floor(cap / 2))));
    return clipped;
  };

  const account = (usage: SessionUsage, completion: Pick<Completion, "usage" | "model">): number | null => {
    const price = priceOf(prices, completion.model);
    const cost = price ? costOf(price, completion.usage) : null;
    usage.input_tokens += completion.usage.input_tokens;
    usage.output_tokens += completion.usage.output_tokens;
    usage.cached_tokens += completion.usage.cached_tokens;
    usage.calls += 1;
    usage.cost_usd = usage.cost_usd === null || cost === null ? null : usage.cost_usd + cost;
    return cost;
  };

  const compact = async (signal: AbortSignal) => {
    const from = record.compaction?.upto ?? 0;
    const built = build();
    if (built.tokens <= interactive.max_context_tokens) return;
    const fixed = estimateRequestTokens({ system: built.system, messages: [], tools: ORCHESTRATOR_TOOLS });
    const upto = compactionPoint(messages, from, fixed, interactive.max_context_tokens, interactive.keep_recent);
    if (upto === null) return;
    const previous = record.compaction?.summary ?? null;
    const text = foldText(previous, messages.slice(from, upto), Math.floor(interactive.max_context_tokens * 0.5 * 4));
    let summary: string;
    try {
      const completion = await client.complete({
        system: "You summarise the earlier part of a conversation between a person and the orchestrator of Conclave, for the orchestrator to read later. Keep every decision, constraint, result (with run ids) and what remains to do; drop pleasantries. Plain lines, no preamble.",
        messages: [{ role: "user", content: `${SUMMARISE_PREFIX}\n\n${text}` }],
        signal,
      });
      account(record.usage.conversation, completion);
      summary = completion.text.trim() || deterministicSummary(previous, messages.slice(from, upto));
    } catch (error) {
      if (signal.aborted) throw error;
      emit({ type: "notice", line: `The summary of older messages fell back to their first lines: ${(error as Error).message}` });
      summary = deterministicSummary(previous, messages.slice(from, upto));
    }
    record.compaction = { summary: capSummary(summary, interactive.max_context_tokens), upto };
    save();
    emit({ type: "compacted", upto, summary: record.compaction.summary });
  };

  const needsApproval = (estimate: number | null): boolean => {
    if (interactive.require_approval === "never") return false;
    if (interactive.require_approval === "always") return true;
    return estimate === null || estimate > interactive.above_usd;
  };

  const STOPPED = "Error: the turn was stopped before this run started; nothing was run.";
  const launch = async (args: LaunchRunArgs, signal?: AbortSignal): Promise<string> => {
    if (signal?.aborted) return STOPPED;
    const budget = interactive.budget_usd;
    if (budget !== undefined) {
      const s = spend();
      // A model without a price makes part of the spend unknown: the budget counts what is priced, and says so once.
      const known = (s.conversation ?? 0) + (s.runs ?? 0);
      if (s.total === null && !said.has("budget-unknown")) {
        said.add("budget-unknown");
        emit({ type: "notice", line: `Part of this session's spend is unknown (a model has no price in configs/prices.yaml): interactive.budget_usd $${budget} counts only the priced calls.` });
      }
      if (known >= budget) {
        const line = `The session's budget of $${budget} (interactive.budget_usd) is spent (${usd(known)}): no more runs are launched in this session.`;
        emit({ type: "notice", line });
        return `Error: ${line} Tell the person; they can raise interactive.budget_usd or start a new session.`;
      }
    }
    const digest = conversationDigest(messages, RUN_DIGEST_CHARS);
    const context = [digest, args.context].filter((s) => s?.trim()).join("\n\n");
    let runOptions = {
      ...launchRunOptions(args),
      ...(context && { context }),
      config: configOption,
      ...(project && { project }),
      env,
      ...(options.clock && { clock: options.clock }),
      ...(options.dryRun && { dryRun: true }),
      ...(!project && options.runsDir && { runsDir: options.runsDir }),
    };
    let card;
    try {
      card = describeRun(runOptions);
    } catch (error) {
      return `Error: ${(error as Error).message}`;
    }
    if (needsApproval(card.estimate.usd)) {
      const money = card.estimate.usd === null ? "cost unknown" : `$${card.estimate.usd.toFixed(4)}`;
      const reason = interactive.require_approval === "always" ? "interactive.require_approval is always" : `the estimate (${money}) is above interactive.above_usd $${interactive.above_usd}`;
      if (options.autoApprove) emit({ type: "notice", line: `Approved (--yes): ${clipLine(args.task, 60)}, estimate ${money}.` });
      else {
        const answer = await new Promise<ApprovalAnswer | "stopped">((resolve) => {
          signal?.addEventListener("abort", () => resolve("stopped"), { once: true });
          emit({ type: "approval.request", card, task: args.task, reason, respond: resolve });
        });
        if (answer === "stopped") return STOPPED;
        if (answer.action === "cancel") return "Error: the person cancelled this run at approval; ask what they want instead.";
        if (answer.action === "edit") runOptions = { ...runOptions, agents: answer.agents };
      }
    }
    if (signal?.aborted) return STOPPED;

    // The agents the person chose at approval (Edit agents) are the run's, not the orchestrator's.
    const launched = runOptions.agents ? { ...args, agents: runOptions.agents } : args;
    // With wait: true the turn waits for the run, and stopping the turn cancels it; wait: false runs go on.
    const stopWith = args.wait ? signal : undefined;
    const planThenExecute = Boolean(args.planning_mode && args.execute_after_planning);
    const first = await startRun(planThenExecute ? { ...runOptions, execute_after_planning: false } : runOptions, { ...launched, execute_after_planning: false }, stopWith);
    if (typeof first === "string") return first;
    let last: Promise<RunResult | undefined> = first.done;
    if (planThenExecute) {
      // Two runs, each its own row: the plan, then (when it completed) the execute run that carries it out.
      last = first.done.then(async (planned) => {
        if (!planned || planned.status !== "completed" || !planned.answer) return planned;
        const execute = executionOfPlan(runOptions, planned);
        const next = await startRun(execute, { ...launched, task: execute.task, planning_mode: false, execute_after_planning: false }, stopWith, planned.run_id);
        return typeof next === "string" ? planned : next.done;
      });
      track(last);
    }
    if (!args.wait) return JSON.stringify({ run_id: first.runId, status: "running", log_dir: first.logDir });
    const result = await last;
    if (!result) return `Error: run ${first.runId} failed unexpectedly; read_run may show what it had.`;
    return JSON.stringify({ ...launchRunResult(result), ...(planThenExecute && result.run_id !== first.runId && { plan_run_id: first.runId }) });
  };

  const track = (promise: Promise<unknown>) => {
    inflight.add(promise);
    void promise.finally(() => inflight.delete(promise));
  };

  // Starts one run and records it (a row in session.json, run.launched); its end is recorded by finish().
  const startRun = async (runOptions: RunOptions, rowArgs: LaunchRunArgs, stopWith: AbortSignal | undefined, parentRun?: string): Promise<RunEntry | string> => {
    if (stopWith?.aborted) return STOPPED;
    const controller = new AbortController();
    const stop = () => controller.abort("cancelled: the turn was stopped");
    stopWith?.addEventListener("abort", stop, { once: true });
    const entry: Partial<RunEntry> & { notes: RunNotes; ended: boolean } = { controller, notes: createRunNotes(), ended: false };
    let started!: (info: { runId: string; logDir: string }) => void;
    const startedAt = new Promise<{ runId: string; logDir: string }>((resolve) => (started = resolve));
    starting.add(controller);
    const done = run({
      ...runOptions,
      signal: controller.signal,
      notes: entry.notes,
      description: { ...runOptions.description, session: record.id },
      onStart: (info) => started(info),
      onStatus: (status) => {
        entry.status = status;
        if (entry.runId) emit({ type: "run.progress", run_id: entry.runId, status, line: progressLine(status) });
      },
      onNotice: (line) => {
        // Which backend `auto` chose is said once a session, not once a run.
        if (/^(Backend|Dry run):/.test(line)) {
          if (said.has(line)) return;
          said.add(line);
        }
        emit({ type: "notice", line });
      },
      askHuman: (query, askSignal, asker) => ask(entry.runId ?? "", asker?.agent ?? null, query, askSignal),
    });
    track(done.catch(() => undefined));
    const first = await Promise.race([startedAt, done.then((r) => ({ finished: r }), (e: unknown) => ({ error: e }))]);
    starting.delete(controller);
    if ("error" in first || "finished" in first) {
      stopWith?.removeEventListener("abort", stop);
      return "error" in first ? `Error: ${(first.error as Error).message}` : "Error: the run ended before it started.";
    }
    entry.runId = first.runId;
    entry.logDir = first.logDir;
    entry.done = done
      .then(
        (result) => finish(entry as RunEntry, result),
        (error: unknown) => {
          // run() throws only before a run starts; should it fail later, the row says so rather than staying "running".
          entry.ended = true;
          const row = record.runs.find((r) => r.run_id === first.runId);
          if (row) Object.assign(row, { status: "failed", status_reason: (error as Error).message });
          save();
          emit({ type: "notice", line: `Run ${first.runId} failed: ${(error as Error).message}` });
          return undefined;
        },
      )
      .finally(() => stopWith?.removeEventListener("abort", stop));
    track(entry.done);
    runs.set(first.runId, entry as RunEntry);
    record.runs.push({ run_id: first.runId, task: rowArgs.task, status: "running", cost_usd: null, log_dir: first.logDir, launched_at: new Date().toISOString(), args: rowArgs, ...(parentRun && { parent_run: parentRun }) });
    save();
    emit({ type: "run.launched", run_id: first.runId, log_dir: first.logDir, task: rowArgs.task, args: rowArgs });
    return entry as RunEntry;
  };

  const finish = (entry: RunEntry, result: RunResult): RunResult => {
    entry.result = result;
    entry.ended = true;
    const compact: LaunchRunResult = launchRunResult(result);
    const row = record.runs.find((r) => r.run_id === entry.runId);
    if (row) Object.assign(row, { status: result.status, cost_usd: result.usage.cost_usd, result: compact });
    const u = record.usage.runs;
    u.input_tokens += result.usage.input_tokens;
    u.output_tokens += result.usage.output_tokens;
    u.cached_tokens += result.usage.cached_tokens;
    u.calls += result.usage.llm_calls;
    u.cost_usd = u.cost_usd === null || result.usage.cost_usd === null ? null : u.cost_usd + result.usage.cost_usd;
    save();
    emit({ type: "run.finished", run_id: entry.runId, result: compact });
    return result;
  };

  // An agent's ask_human: a `query` to whoever is there, waiting on the query board every surface serves; nobody
  // listening → null at once; nobody answering within coordination.timeouts.human, or the run no longer waiting → the
  // event's signal aborts (the front end takes the question off) and the agent states its assumption.
  const queries = createQueryBoard({ timeoutMs: config.coordination.timeouts.human * 1000, clock });
  const ask = (runId: string, agent: string | null, query: HumanQuery, signal?: AbortSignal): Promise<string | null> => {
    if (!turn && listeners.size === 0) return Promise.resolve(null);
    const posted = queries.post(runId, agent, query, signal);
    if (!posted.query) return Promise.resolve(null);
    const { id } = posted.query;
    const waiting = new AbortController();
    void posted.settled.then((s) => (s.reason === "timed out" || s.reason === "withdrawn") && waiting.abort(s.reason));
    // A respond after the query was settled is harmless: nobody waits for it any more.
    const respond = (answer: string | null) => {
      if (!queries.get(id)) return;
      if (answer?.trim()) queries.answer(id, answer);
      else queries.dismiss(id);
    };
    emit({ type: "query", id, run_id: runId, agent, ...query, respond, signal: waiting.signal });
    return posted.settled.then((s) => s.answer);
  };

  const host: ToolHost = {
    project,
    launch,
    runStatus: (runId) => {
      const rows = record.runs.filter((r) => !runId || r.run_id === runId);
      if (runId && rows.length === 0) return `Error: run_status \`run_id\`: no run ${runId} in this session; run_status with no run_id lists them.`;
      return JSON.stringify({
        runs: rows.map((r) => {
          const live = runs.get(r.run_id);
          const s = live?.status;
          return {
            run_id: r.run_id,
            task: clipLine(r.task, 120),
            status: live && !live.ended ? "running" : r.status,
            phase: s?.coordination.phase ?? null,
            round: s?.coordination.round ?? null,
            cost_usd: s?.usage.cost_usd ?? r.cost_usd,
            elapsed_seconds: s?.meta.elapsed_seconds ?? r.result?.elapsed_seconds ?? null,
          };
        }),
      });
    },
    readRun: (runId) => {
      const row = record.runs.find((r) => r.run_id === runId);
      if (!row) return `Error: read_run \`run_id\`: no run ${runId} in this session; run_status lists them.`;
      const live = runs.get(runId);
      if (!existsSync(row.log_dir)) return `Error: read_run: the run directory of ${runId} (${row.log_dir}) is gone; the session recorded: ${JSON.stringify(row.result ?? { status: row.status })}`;
      return readRunForOrchestrator(row.log_dir, live?.status, live && !live.ended ? "running" : row.status);
    },
    analyzeRun: async (runId) => {
      const row = runId ? record.runs.find((r) => r.run_id === runId) : record.runs.at(-1);
      if (!row) return runId ? `Error: analyze_run \`run_id\`: no run ${runId} in this session; run_status lists them.` : "Error: analyze_run: this session has no run yet, so there is nothing to analyze.";
      if (!existsSync(row.log_dir)) return `Error: analyze_run: the run directory of ${row.run_id} (${row.log_dir}) is gone, so it cannot be analyzed.`;
      return JSON.stringify(compactAnalysis(await analyzeRun(row.log_dir, { env }), { evidence: 2 }));
    },
    cancel: (runId) => {
      const entry = runs.get(runId);
      const cancelled = Boolean(entry && !entry.ended);
      if (cancelled) entry!.controller.abort("cancelled: by the orchestrator");
      return JSON.stringify({ run_id: runId, cancelled });
    },
    tell: (note, runId) => {
      const target = runId ?? running().at(-1);
      const entry = target ? runs.get(target) : undefined;
      if (!entry || entry.ended) return `Error: no run is running${runId ? ` with id ${runId}` : ""}; tell_run reaches only a running run.`;
      entry.notes.tell(note);
      return JSON.stringify({ run_id: entry.runId, delivered: "at each agent's next turn" });
    },
  };

  const playTurn = async (text: string, signal: AbortSignal, countsAsTurn: boolean) => {
    if (countsAsTurn && record.title === DEFAULT_TITLE) record.title = clipLine(text, 80);
    // A recap is the session's own turn: its messages are sent, shown, never stored (the history stays the person's).
    const scratch: StoredMessage[] = [];
    const keep = countsAsTurn ? remember : (message: StoredMessage) => void scratch.push(message);
    keep({ role: "user", content: text, at: new Date().toISOString() });
    let invalid = 0;
    let answered = false;
    try {
      for (let step = 0; step < MAX_STEPS_PER_TURN && !answered; step++) {
        await compact(signal);
        const built = contextNow();
        const ctx = scratch.length ? { ...built, messages: [...built.messages, ...toChatMessages(scratch)] } : built;
        let completion: Completion;
        try {
          completion = await withRetries(
            () => client.complete({ system: ctx.system, messages: ctx.messages, tools: ORCHESTRATOR_TOOLS, signal, onText: (delta) => emit({ type: "message.delta", text: delta }) }),
            { clock, signal, policy: retry, onRetry: ({ attempt, delayMs, error }) => emit({ type: "notice", line: `The orchestrator's model: ${error.detail}; retry ${attempt} in ${Math.round(delayMs / 100) / 10} s.` }) },
          );
        } catch (error) {
          if (signal.aborted) throw error;
          const why = error instanceof ModelApiError ? error.message : String(error);
          const content = `(The orchestrator's model failed: ${why})`;
          keep({ role: "assistant", content, at: new Date().toISOString() });
          emit({ type: "notice", line: content });
          emit({ type: "message", role: "assistant", content });
          answered = true;
          break;
        }
        const cost = account(record.usage.conversation, completion);
        keep({
          role: "assistant",
          content: completion.text,
          ...(completion.toolCalls.length && { tool_calls: completion.toolCalls }),
          usage: { ...completion.usage, cost_usd: cost },
          at: new Date().toISOString(),
        });
        if (completion.toolCalls.length === 0) {
          emit({ type: "message", role: "assistant", content: completion.text });
          answered = true;
          break;
        }
        for (const call of completion.toolCalls) {
          const result = await callOrchestratorTool(call.name, call.arguments, host, signal);
          keep({ role: "tool", content: result, tool_call_id: call.id, name: call.name, at: new Date().toISOString() });
          invalid = /^Error: .*Fix that argument/s.test(result) ? invalid + 1 : 0;
        }
        if (invalid >= 2) {
          const content = "I could not get the tool arguments right twice in a row, so I stopped here. Say what you want done, and I will try again.";
          keep({ role: "assistant", content, at: new Date().toISOString() });
          emit({ type: "message", role: "assistant", content });
          answered = true;
        }
      }
      if (!answered) {
        const content = `I stopped after ${MAX_STEPS_PER_TURN} steps without a final answer; the runs so far are listed in /runs. Tell me how to go on.`;
        keep({ role: "assistant", content, at: new Date().toISOString() });
        emit({ type: "message", role: "assistant", content });
      }
    } finally {
      if (countsAsTurn) record.turns += 1;
      save();
    }
  };

  // One turn as an async iterable: events are queued as the turn makes them and yielded in order.
  let busy = false;
  const turnEvents = (text: string, signal: AbortSignal | undefined, countsAsTurn: boolean): AsyncIterable<SessionEvent> => ({
    async *[Symbol.asyncIterator]() {
      if (busy) throw new ConfigError("a turn is already in progress in this session: wait for its reply first.");
      if (!text.trim()) throw new ConfigError("an empty message: say what you want.");
      busy = true;
      const stopper = new AbortController();
      const turnSignal = signal ? AbortSignal.any([signal, stopper.signal]) : stopper.signal;
      const queue: SessionEvent[] = [];
      let wake: (() => void) | undefined;
      let finished = false;
      let failure: unknown;
      turn = { push: (event) => (queue.push(event), wake?.()) };
      const work = playTurn(text, turnSignal, countsAsTurn).then(
        () => ((finished = true), wake?.()),
        (error: unknown) => ((failure = error), (finished = true), wake?.()),
      );
      try {
        for (;;) {
          if (queue.length) {
            yield queue.shift()!;
            continue;
          }
          if (finished) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        if (failure && !turnSignal.aborted) throw failure;
      } finally {
        // A consumer that stops early stops the turn, and the session is free again only once the turn has ended.
        if (!finished) {
          stopper.abort("the turn was stopped");
          await work;
        }
        turn = undefined;
        busy = false;
      }
    },
  });

  return {
    id: record.id,
    dir: sessionDir,
    record: () => structuredClone(record),
    messages: () => [...messages],
    send: (text, o) => turnEvents(text, o?.signal, true),
    recap: () =>
      turnEvents(`${RECAP_PREFIX} The person has resumed this session. In one or two sentences, say where things stand: what was finished, what remains.`, undefined, false),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancelRun: (runId, reason) => {
      const entry = runs.get(runId);
      if (!entry || entry.ended) return false;
      entry.controller.abort(`cancelled: ${reason ?? "by the person"}`);
      return true;
    },
    tell: (note, runId) => !host.tell(note, runId).startsWith("Error:"),
    running,
    context: () => {
      const c = contextNow();
      return { system: c.system, messages: c.messages.map((m) => ({ role: m.role, content: m.content })), tokens: c.tokens };
    },
    close: async () => {
      for (const controller of starting) controller.abort("cancelled: the session was closed");
      for (const entry of runs.values()) if (!entry.ended) entry.controller.abort("cancelled: the session was closed");
      await Promise.all([...inflight]);
      save();
      lock.release();
    },
  };
}

function resolveSessionConfig(config: OpenSessionOptions["config"], env: NodeJS.ProcessEnv): ConclaveConfig {
  if (config !== undefined && typeof config !== "string") return validateConfig(config);
  return loadConfig(config ?? defaultConfigPath(env), env);
}

// A compact progress line, e.g. "voting round 2 · 60%".
function progressLine(status: StatusJson): string {
  const c = status.coordination;
  return `${c.phase}${c.round ? ` round ${c.round}` : ""} · ${c.completion_percentage}%${c.active_agent ? ` · ${c.active_agent}` : ""}`;
}

// read_run's result: the final answer, each answer (clipped), the votes with reasons, the cost by agent; read as GET /api/runs/<id> reads it.
function readRunForOrchestrator(logDir: string, live: StatusJson | undefined, status: string): string {
  const { result, answers, votes } = readRunDetail(logDir);
  return JSON.stringify({
    run_id: result?.run_id ?? live?.meta.run_id ?? logDir,
    status: result?.status ?? status,
    ...(result?.status_reason && { status_reason: result.status_reason }),
    winner: result?.winner ?? null,
    winner_reason: result?.winner_reason ?? null,
    answer: result?.answer ? clipText(result.answer, 4000) : null,
    answers: answers.filter((a) => !a.final).map((a) => ({ label: a.label, agent: a.agent, round: a.round, content: clipText(a.content, 600) })),
    votes: votes.map((v) => ({ voter: v.voter, label: v.label, reason: v.reason })),
    cost_by_agent: Object.fromEntries(Object.entries(result?.agents ?? live?.agents ?? {}).map(([id, a]) => [id, "tokens" in a && "cost_usd" in (a.tokens as object) ? (a.tokens as { cost_usd: number | null }).cost_usd : (a as { cost_usd?: number | null }).cost_usd ?? null])),
    log_dir: logDir,
  });
}

// The first line of each person message and orchestrator reply: the summary when the model cannot give one.
function deterministicSummary(previous: string | null, folded: StoredMessage[]): string {
  const lines = folded
    .filter((m) => m.role !== "tool" && m.content.trim())
    .map((m) => `${m.role === "user" ? "Person" : "Orchestrator"}: ${clipLine(m.content, 100)}`);
  return [previous, ...lines].filter(Boolean).join("\n");
}

function clipLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function usd(v: number | null): string {
  return v === null ? "an unknown amount" : `$${v.toFixed(4)}`;
}
