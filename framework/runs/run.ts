import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createActor, toPromise, type InspectionEvent } from "xstate";
import type { z } from "zod";
import { holding, systemClock } from "../clock.ts";
import { agentTurns } from "../coordination/agent-actor.ts";
import type { RunContext } from "../coordination/run-context.ts";
import { bindRun, createRunMachine, type RunImplementations } from "../coordination/run-machine.ts";
import { loadPrices } from "../config/load-prices.ts";
import type { Project } from "../project/project.ts";
import { costOf, priceOf } from "../models/cost.ts";
import { createModelClient } from "../models/create-model-client.ts";
import { resolveBackend } from "../models/resolve-backend.ts";
import type { ModelClient, Usage } from "../models/model.ts";
import { yieldingClient } from "../models/yielding-client.ts";
import { displayPath } from "../project/display-path.ts";
import { missingListedFiles } from "../project/missing-listed-files.ts";
import { contextDigest } from "./context-digest.ts";
import { createRunDirectory, freezeOption, type JournalEvent, type RunDirectory } from "./run-directory.ts";
import { ReplayClock } from "./replay-clock.ts";
import { runsGoingHere } from "./runs-going-here.ts";
import { createTurnJournal, type TurnRecord } from "./turn-journal.ts";
import { createRunWorkspaces, resolveContextPaths, type RunChanges } from "./run-workspaces.ts";
import { normalizeRunOptions, type NormalizedRun, type RunOptions } from "./run-options.ts";
import { noteReader } from "./run-notes.ts";
import { currentRunOwner, HEARTBEAT_EVERY_MS } from "./run-liveness.ts";
import { runResultOf, type RunResult } from "./run-result.ts";
import { phaseOf, statusJson, type StatusJson } from "./status-json.ts";
import { yieldWhenBusy } from "../yield-when-busy.ts";

/**
 * Runs one coordination: the agents answer in parallel, vote, and the winner presents the
 * final answer. Writes the run directory as it goes (docs/architecture.md §4) and returns the RunResult,
 * whatever the outcome; it throws only on bad options or config (ConfigError, before writing).
 *
 * @example
 * const result = await run({ task: "Name three risks of this migration", config: "configs/offline.yaml" });
 * console.log(result.status, result.winner, result.answer);
 */
export async function run<T = unknown>(options: RunOptions<T>): Promise<RunResult<T>> {
  if (!(options.planning_mode && options.execute_after_planning)) return runOnce(options);
  // A plan-only run, then the winning plan carried out by an execute run.
  const planned = await runOnce({ ...options, execute_after_planning: false });
  if (planned.status !== "completed" || !planned.answer) return planned;
  return runOnce<T>(executionOfPlan(options, planned));
}

/**
 * The execute run that carries out a completed plan-only run (`execute_after_planning`): the
 * task with the winning plan under it, writes allowed, the plan run recorded as its parent.
 *
 * @example
 * const execute = await run(executionOfPlan(options, planned));
 */
export function executionOfPlan<T>(options: RunOptions<T>, planned: RunResult): RunOptions<T> {
  const { output: _output, ...rest } = options;
  return {
    ...rest,
    planning_mode: false,
    execute_after_planning: false,
    task: `${options.task}\n\n# The plan to carry out\n\n${planned.answer}`,
    description: { ...options.description, parent_run: planned.run_id },
  };
}

/**
 * What resumeRun() hands runOnce(): the run's directory, its settings and what its journal holds.
 *
 * @example
 * await runOnce(options, { runDir: openRunDirectory(dir), normalized, description, records, earlier, lines, horizon });
 */
export interface ResumeState {
  runDir: RunDirectory;
  normalized: NormalizedRun;
  /** run_description.json as it was. */
  description: Record<string, unknown>;
  /** The call journal's records (`run.turn`), replayed instead of called. */
  records: (TurnRecord & { t: number })[];
  /** The journal's other events, in order: the resumed run does not write again those it produces anew. */
  earlier: JournalEvent[];
  /** How many lines events.jsonl had. */
  lines: number;
  /** status.json as the run left it, if it wrote one. */
  status?: StatusJson;
  /** The directory the run's context paths were resolved against (run_description.json `context_base`). */
  contextBase?: string;
  /** The run's active time when it stopped: the largest `t` of its journal, or status.json's `elapsed_seconds` if later. */
  horizon: number;
  /** What the earlier process's clock read at the run's start (an agent event's `at` less its `t`), so the resumed run's times read as its. */
  origin?: number;
}

/**
 * One run, new or resumed (resumeRun()): without `resume` it makes a run directory; with it, it goes on
 * writing the run's own, replays the journal's turns and calls only those not recorded.
 *
 * @example
 * const result = await runOnce({ task: "Name three risks", config: "configs/offline.yaml" });
 */
export async function runOnce<T>(options: RunOptions<T>, resume?: ResumeState): Promise<RunResult<T>> {
  const baseClock = options.clock ?? systemClock;
  // Many runs started at once set up in slices, with timers and I/O served between them.
  if (baseClock === systemClock) await yieldWhenBusy();
  const project = options.project;
  const normalized = resume?.normalized ?? normalizeRunOptions(options);
  // While a resumed run replays its journal, status.json is not rewritten at each replayed turn (only once it goes live).
  let wentLive = () => {};
  const replayClock = resume ? new ReplayClock(baseClock, resume.horizon, () => wentLive(), resume.origin) : undefined;
  const clock = replayClock ?? baseClock;
  const env = options.env ?? process.env;
  const clients = new Map<string, ModelClient>();
  for (const agent of normalized.agents) {
    const deps = { clock, env, idleMs: normalized.settings.timeouts.idle, ...(options.dryRun && { forceScripted: true }) };
    // On the system clock, replies are acted on in slices of the event loop (yieldWhenBusy); a simulated clock never yields.
    const sliced = (made: ModelClient) => (baseClock === systemClock ? yieldingClient(made) : made);
    const client = sliced(createModelClient(agent, deps));
    // A real backend's idle watchdog guards real I/O: in a resumed run its timers count from when the replay is done.
    clients.set(agent.id, replayClock && client.backend !== "scripted" ? sliced(createModelClient(agent, { ...deps, clock: replayClock.liveTimers() })) : client);
  }
  noticeBackends(normalized.agents, env, options);
  if (project) noticeMissingFiles(project, options);
  const prices = loadPrices(env);
  const unpriced = new Set<string>();
  // USD of one call from configs/prices.yaml; a model without a price costs null (unknown), said once.
  const cost = (model: string, usage: Usage): number | null => {
    const price = priceOf(prices, model);
    if (price) return costOf(price, usage);
    if (!unpriced.has(model)) {
      unpriced.add(model);
      options.onNotice?.(`Warning: model \`${model}\` has no price in configs/prices.yaml, so its cost is unknown (null). Add it to the table to see costs.`);
    }
    return null;
  };

  // A resumed run's clock starts at 0 and reaches its active time (horizon) once the replay is done.
  const wallStart = Date.now() - (resume?.horizon ?? 0);
  const owner = currentRunOwner();
  const startedAt = clock.now();
  const contextBase = resume?.contextBase ?? project?.dir ?? process.cwd();
  const runsDir = options.runsDir ?? project?.runsDir ?? ".conclave/runs";
  const contextPaths = resolveContextPaths(contextBase, options.context_paths ?? [], resume ? dirname(resume.runDir.dir) : runsDir);
  const runDir = resume?.runDir ?? createRunDirectory(runsDir, freezeOption(env));
  // A run that throws (a bug, a callback's error) still closes its directory: its queued files written, events.jsonl closed.
  try {
    const startedAtIso = typeof resume?.description.started_at === "string" ? resume.description.started_at : new Date(wallStart).toISOString();
    if (resume) {
      const earlier = Array.isArray(resume.description.resumed) ? resume.description.resumed : [];
      runDir.writeDescription({ ...resume.description, ...owner, resumed: [...earlier, { at: new Date().toISOString(), from_event: resume.lines }] });
      // status.json names this process at once (readers judge liveness by it), before the replay rewrites the rest.
      if (resume.status) runDir.writeStatus({ ...resume.status, meta: { ...resume.status.meta, ...owner, heartbeat_at: new Date().toISOString() } });
    } else {
      runDir.writeDescription({
        run_id: runDir.runId,
        task: normalized.task,
        ...(normalized.context !== undefined && contextDigest(normalized.context)),
        options: { agent_mode: normalized.settings.mode, dry_run: Boolean(options.dryRun), settings: normalized.settings },
        config_path: normalized.configPath ?? null,
        agents: normalized.agents.map((a) => ({ id: a.id, backend: clients.get(a.id)!.backend, model: clients.get(a.id)!.model })),
        ...(options.id !== undefined && { step_id: options.id }),
        // What a resume needs to give the agents their workspaces again.
        ...(options.context_paths?.length && { context_paths: options.context_paths, context_base: contextBase }),
        ...options.description,
        // A run without its call journal (CONCLAVE_CALL_JOURNAL=off) says so: it cannot be resumed.
        ...(env.CONCLAVE_CALL_JOURNAL === "off" && { call_journal: false }),
        started_at: startedAtIso,
        ...owner,
      });
    }
    // After the description, so a run directory anyone is told of already says whose it is.
    options.onStart?.({ runId: runDir.runId, logDir: runDir.dir });

    const workspaces = createRunWorkspaces({
      runDir: runDir.dir,
      agents: normalized.agents.map((a) => a.id),
      paths: contextPaths,
      planning: Boolean(options.planning_mode),
      commands: normalized.config.commands,
      commandTimeoutMs: normalized.settings.timeouts.call,
      env,
      ...(options.askHuman && { askHuman: options.askHuman }),
      ...(options.onNotice && { onNotice: options.onNotice }),
      // Runs on the same project take turns writing back; without a project, runs sharing a runs directory do.
      lockPath: join(project?.runsDir ?? dirname(runDir.dir), "writeback.lock"),
      // A resumed run whose agents had begun keeps the workspaces they worked in.
      ...(resume && resume.records.length > 0 && { reuse: true }),
      ...(options.signal && { signal: options.signal }),
    });
    let changes: RunChanges | undefined;
    const t = () => clock.now() - startedAt;
    // The call journal: each turn's calls and tool results, flushed before the machine acts on them; a resumed run's replayed.
    // Why a turn is stopped (the journal records it with a call cut off): the run's cancel, or a deadline that just fired.
    let cancelling = false;
    let deadlineAt: number | undefined;
    const turns = createTurnJournal({
      write: (record) => runDir.journalNow({ t: t(), ...record }),
      frozen: () => runDir.frozen,
      stopCause: () => (cancelling ? "cancel" : deadlineAt !== undefined && clock.now() - deadlineAt <= 50 ? "deadline" : undefined),
      clock,
      t,
      ...(resume && { recorded: resume.records }),
    });
    // CONCLAVE_CALL_JOURNAL=off (the benchmark's baseline): no run.turn records, so the run cannot be resumed.
    const journalOn = env.CONCLAVE_CALL_JOURNAL !== "off";
    const journaled = new Map<string, ModelClient>();
    for (const [id, client] of clients) journaled.set(id, journalOn ? turns.client(id, client) : client);
    // The shared machine, given this run's implementations of its actors once the actor exists (bindRun).
    const implementations: RunImplementations = {
      agent: agentTurns({
        client: (id) => journaled.get(id)!,
        clock,
        cost,
        retry: normalized.settings.retry,
        ...(normalized.output && { checkData: dataChecker(normalized.output) }),
        ...(workspaces.active && {
          tools: (id: string, phase: "generation" | "voting" | "presentation", round: number) => {
            const tools = workspaces.tools(id, phase);
            return tools && (journalOn ? turns.tools(id, phase, round, tools) : tools);
          },
        }),
        ...(options.notes && { notes: noteReader(options.notes) }),
        // A call made for real in a resumed run gets its whole call timeout on live timers; a replayed one, the replay's.
        ...(replayClock && {
          callTimers: (id: string, turn: { hints?: { phase: "generation" | "voting" | "presentation"; round: number } }) =>
            turn.hints && turns.recordedNext(id, turn.hints.phase, turn.hints.round) ? replayClock : replayClock.liveTimers(),
        }),
      }),
      prepare: () => holding(clock, () => workspaces.prepare()),
      finalize: (input) =>
        holding(clock, async () => {
          runDir.writeFinalAnswer(input);
          // A frozen run (the kill test hook) writes nothing back, as a killed one could not.
          if (input.winner && !runDir.frozen) changes = await workspaces.finish(input.winner, options.approve ?? (async () => true), input.status === "completed");
        }),
    };

    const meta = { sessionId: runDir.runId, logDir: runDir.dir, wallStart, startTime: startedAtIso, finalAnswerPath: null as string | null, owner, wallNow: Date.now };
    // A resumed run produces again the events of its replayed part: those its journal has already are not written twice.
    const alreadyWritten = resume ? skipWritten(resume.earlier) : () => false;
    const journal = (event: { type: string } & Record<string, unknown>) => {
      const line = { t: t(), ...event };
      if (!alreadyWritten(line)) runDir.journal(line);
      options.onEvent?.(line);
    };
    if (resume) {
      const line = { t: resume.horizon, type: "run.resumed", from_event: resume.lines, turns: resume.records.length, at: new Date().toISOString() };
      runDir.journalNow(line);
      options.onEvent?.(line);
    }

    let lastPhase = "";
    let lastRound = -1;
    let flushQueued = false;
    let closed = false;
    const actor = createActor(createRunMachine(clock), {
      input: {
        runId: runDir.runId,
        task: normalized.task,
        ...(normalized.context !== undefined && { context: normalized.context }),
        ...(project && { files: shownFiles(project) }),
        agents: normalized.agents,
        settings: normalized.settings,
      },
      clock,
      inspect: (ev: InspectionEvent) => {
        if (ev.type !== "@xstate.event" || ev.actorRef !== actor) return;
        if (ev.event.type.startsWith("run.")) journal(ev.event);
        else if (ev.event.type.startsWith("xstate.after.")) {
          // A watchdog fired: say which deadline, and whose turns it cuts off.
          const { context, value } = actor.getSnapshot();
          const which = ev.event.type.includes("runDeadline") ? "run" : phaseOf(value);
          deadlineAt = clock.now();
          journal({ type: "run.deadline", deadline: which, timed_out: context.pending });
        }
      },
    });
    bindRun(actor, implementations);

    const flush = () => {
      flushQueued = false;
      if (closed) return;
      const snapshot = actor.getSnapshot();
      const done = snapshot.status === "done";
      if (replayClock?.replaying && !done) return;
      const status = statusJson(snapshot.context, snapshot.value, done, clock.now(), meta);
      runDir.sync(snapshot.context, status);
      options.onStatus?.(status);
    };
    actor.subscribe({
      next: (snapshot) => {
        const phase = phaseOf(snapshot.value);
        if (phase !== lastPhase || snapshot.context.round !== lastRound) {
          if (phase !== lastPhase) journal({ type: "run.phase", phase, round: snapshot.context.round });
          else if (phase === "voting") journal({ type: "run.round", round: snapshot.context.round });
          lastPhase = phase;
          lastRound = snapshot.context.round;
        }
        if (!flushQueued) {
          flushQueued = true;
          setImmediate(flush);
        }
      },
      error: () => {},
    });

    const cancel = () => {
      // abort("cancelled") or abort("interrupted") name the status; "cancelled: <why>" is a cancel with its reason;
      // any other string is the reason given for an interrupt.
      const reason = options.signal?.reason;
      const status = reason === "cancelled" || (typeof reason === "string" && reason.startsWith("cancelled:")) ? "cancelled" : "interrupted";
      const told = typeof reason === "string" && reason !== status;
      cancelling = true;
      actor.send({ type: "run.cancel", status, ...(told && { reason }) });
    };
    // Every note is journaled: those told before the run began, then each as it is told.
    let noted = 0;
    const journalNote = (text: string) => journal({ type: "run.note", n: ++noted, text });
    for (const text of options.notes?.told() ?? []) journalNote(text);
    const stopNoting = options.notes?.onTell(journalNote);
    wentLive = () => flushQueued || flush();
    const ticker = setInterval(() => flushQueued || flush(), HEARTBEAT_EVERY_MS);
    ticker.unref();
    options.signal?.addEventListener("abort", cancel, { once: true });

    let context: RunContext;
    runsGoingHere.add(runDir.dir);
    try {
      actor.start();
      if (options.signal?.aborted) cancel();
      context = await toPromise(actor);
    } finally {
      runsGoingHere.delete(runDir.dir);
      stopNoting?.();
      clearInterval(ticker);
      options.signal?.removeEventListener("abort", cancel);
    }

    meta.finalAnswerPath = context.finalSettled ? runDir.finalAnswerPath(context.winner) : null;
    const result = runResultOf<T>(context, {
      logDir: runDir.dir,
      finalAnswerPath: meta.finalAnswerPath,
      startedAt: startedAtIso,
      elapsedMs: t(),
    });
    if (changes) result.changes = changes;
    journal({ type: "run.finished", status: result.status, winner: result.winner, winner_reason: result.winner_reason });
    runDir.writeResult(result);
    flush();
    closed = true;
    // Every file of the run is in place before run() resolves; one that could not be written is said, the result stands.
    for (const error of await runDir.settle()) options.onNotice?.(`Warning: a file of the run directory \`${runDir.dir}\` was not written: ${error.message}`);
    // A frozen run (the kill test hook) leaves its directory as a killed process would, the index included.
    if (runDir.frozen) return result;
    // The run is over and its files are written: an index that cannot be updated is said, never thrown.
    await project?.recordRun({
      run_id: result.run_id,
      ...(options.id !== undefined && { step: options.id }),
      ...(typeof options.description?.workflow === "string" && { workflow: options.description.workflow }),
      status: result.status,
      winner: result.winner,
      cost_usd: result.usage.cost_usd,
      started_at: result.started_at,
      elapsed_seconds: result.elapsed_seconds,
      log_dir: result.log_dir,
      task: normalized.task,
    }).catch((error: unknown) => {
      options.onNotice?.(`Warning: the run finished, but \`${project.runsDir}/index.json\` was not updated: ${(error as Error).message}`);
    });
    return result;
  } catch (error) {
    await runDir.settle();
    throw error;
  }
}

// Validates structured data with the run's zod schema; the message lists what is wrong, field by field.
function dataChecker(schema: z.ZodType) {
  return (data: unknown) => {
    const parsed = schema.safeParse(data);
    if (parsed.success) return { ok: true as const, value: parsed.data };
    const message = parsed.error.issues.map((i) => `${i.path.length ? `\`${i.path.join(".")}\` ` : ""}${i.message}`).join("; ");
    return { ok: false as const, message };
  };
}

// One warning per file filepaths.json lists that does not exist.
function noticeMissingFiles(project: Project, options: RunOptions): void {
  for (const path of missingListedFiles(project)) {
    options.onNotice?.(`Warning: \`${displayPath(project.filepathsPath)}\` lists \`${path}\`, which does not exist; the agents see it marked missing. Create it, or remove it from filepaths.json.`);
  }
}

// The files of the project's filepaths.json that its context shows (those that exist), relative to the project.
// The context was read already; a filepaths.json broken since then only leaves the list empty.
function shownFiles(project: Project): string[] {
  try {
    return project.filepaths().files.map((f) => f.path).filter((path) => existsSync(resolve(project.dir, path)));
  } catch {
    return [];
  }
}

// One line per distinct backend choice, e.g. that `auto` fell back to the offline backend.
function noticeBackends(agents: { id: string; backend: { type: string } }[], env: NodeJS.ProcessEnv, options: RunOptions): void {
  if (!options.onNotice) return;
  if (options.dryRun) return options.onNotice("Dry run: every agent uses the offline scripted backend.");
  if (!agents.some((a) => a.backend.type === "auto")) return;
  const choice = resolveBackend("auto", env);
  options.onNotice(
    choice.type === "scripted"
      ? `Backend: scripted (offline), because ${choice.reason}.`
      : `Backend: ${choice.type}, because ${choice.reason}.`,
  );
}

// The journal's earlier events, in order, matched against those the resumed run produces again:
// while they match (type, agent, round, phase, deadline, name), they are not written twice.
function skipWritten(earlier: JournalEvent[]): (event: JournalEvent) => boolean {
  let i = 0;
  const key = (e: JournalEvent) => JSON.stringify([e.type, e.agentId, e.round, e.phase, e.deadline, e.name]);
  return (event) => {
    if (i >= earlier.length || key(earlier[i]!) !== key(event)) {
      i = earlier.length;
      return false;
    }
    i++;
    return true;
  };
}
