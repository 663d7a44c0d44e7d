import type { ConfigInput } from "../config/config-schema.ts";
import { ConfigError } from "../errors.ts";
import type { Project } from "../project/project.ts";
import { launchRunOptions, type LaunchRunArgs } from "../runs/launch-run.ts";
import type { RunOptions } from "../runs/run-options.ts";
import type { RunResult } from "../runs/run-result.ts";
import { executionOfPlan, run } from "../runs/run.ts";
import type { StatusJson } from "../runs/status-json.ts";
import type { HumanQuery } from "../workspace/human-query.ts";

/** What a launch reports as it goes: every status.json written, and notices meant for a person. */
export interface LaunchHooks {
  onStatus?: (runId: string, status: StatusJson) => void;
  onNotice?: (line: string) => void;
  /** A further run of the same launch started (the execute run after a plan). */
  onRun?: (info: { runId: string; logDir: string }) => void;
}

/** A started launch: its (first) run's id and directory, and the result of its last run. */
export interface Launched {
  runId: string;
  logDir: string;
  /** The result of the launch: the execute run's after a completed plan with execute_after_planning, else the run's. */
  done: Promise<RunResult>;
}

/** Where a run launched by this server stands. */
export interface LaunchedRun {
  run_id: string;
  task: string;
  log_dir: string;
  running: boolean;
  status?: StatusJson;
  result?: RunResult;
  /** The execute run that carries out this plan run, once it started. */
  execute_run_id?: string;
}

export interface RunLauncher {
  /** Starts a run from parsed launch_run arguments; resolves once the run directory exists. Throws a ConfigError on bad options. */
  launch(args: LaunchRunArgs, hooks?: LaunchHooks): Promise<Launched>;
  /** Cancels a running run (and the rest of its launch); false when it is not running here. */
  cancel(runId: string, reason?: string): boolean;
  /** A run launched here, running or finished; undefined for one this launcher never started. */
  status(runId: string): LaunchedRun | undefined;
  /** The runs launched here, oldest first. */
  runs(): LaunchedRun[];
  /** The ids of the runs still running. */
  running(): string[];
  /** Cancels every running run and waits for each to finish writing its directory. */
  close(reason?: string): Promise<void>;
}

export interface RunLauncherOptions {
  project?: Project;
  /** A config file path or object (default: CONCLAVE_CONFIG, ./configs/default.yaml, or Conclave's own). */
  config?: string | ConfigInput;
  env: NodeJS.ProcessEnv;
  /** Where run directories go without a project (default .conclave/runs). */
  runsDir?: string;
  dryRun?: boolean;
  /** Answers the ask_human of an agent (null when the run does not say which) of the run `runId`: a QueryBoard's ask. */
  askHuman?: (runId: string, agent: string | null, query: HumanQuery, signal?: AbortSignal) => Promise<string | null>;
}

interface Entry extends LaunchedRun {
  controller: AbortController;
}

/**
 * Launches runs from `launch_run` arguments through run(), for the servers (MCP, HTTP): keeps
 * each run's latest status and result, cancels on request. A plan with
 * `execute_after_planning` is two runs, the execute run started once the plan completed.
 *
 * @example
 * const launcher = createRunLauncher({ project: openProject("projects/demo"), env: process.env });
 * const { runId, done } = await launcher.launch(parseLaunchRun({ task: "Fix the tests" }).args);
 * console.log(runId, (await done).status);
 */
export function createRunLauncher(options: RunLauncherOptions): RunLauncher {
  const entries = new Map<string, Entry>();
  const inflight = new Set<Promise<unknown>>();
  // Every launch's controller from its first moment (a run not yet started is in no entry), for close().
  const controllers = new Set<AbortController>();
  let closing: string | undefined;

  // Starts one run; resolves once its directory exists, with its end as a promise.
  const start = async (runOptions: RunOptions, controller: AbortController, hooks: LaunchHooks): Promise<{ entry: Entry; done: Promise<RunResult> }> => {
    let entry: Entry | undefined;
    let started!: (entry: Entry) => void;
    const startedAt = new Promise<Entry>((resolve) => (started = resolve));
    const done = run({
      ...runOptions,
      signal: controller.signal,
      onStart: ({ runId, logDir }) => {
        entry = { run_id: runId, task: runOptions.task, log_dir: logDir, running: true, controller };
        entries.set(runId, entry);
        started(entry);
      },
      onStatus: (status) => {
        if (!entry) return;
        entry.status = status;
        hooks.onStatus?.(entry.run_id, status);
      },
      ...(hooks.onNotice && { onNotice: hooks.onNotice }),
      ...(options.askHuman && { askHuman: (query: HumanQuery, signal?: AbortSignal, asker?: { agent: string }) => options.askHuman!(entry?.run_id ?? "", asker?.agent ?? null, query, signal) }),
    });
    const ended = done.then(
      (result) => {
        if (entry) Object.assign(entry, { running: false, result });
        return result;
      },
      (error: unknown) => {
        if (entry) entry.running = false;
        throw error;
      },
    );
    const settled = ended.catch(() => undefined);
    inflight.add(settled);
    void settled.finally(() => inflight.delete(settled));
    const first = await Promise.race([startedAt, ended.then(() => null)]);
    if (!first) throw new ConfigError("the run ended before it started.");
    return { entry: first, done: ended };
  };

  return {
    async launch(args, hooks = {}) {
      if (closing !== undefined) throw new ConfigError(`no new run: the server is stopping (${closing}).`);
      const runOptions: RunOptions = {
        ...launchRunOptions(args),
        ...(options.config !== undefined && { config: options.config }),
        ...(options.project && { project: options.project }),
        ...(!options.project && options.runsDir && { runsDir: options.runsDir }),
        env: options.env,
        ...(options.dryRun && { dryRun: true }),
      };
      const controller = new AbortController();
      controllers.add(controller);
      const planThenExecute = Boolean(args.planning_mode && args.execute_after_planning);
      const first = await start(planThenExecute ? { ...runOptions, execute_after_planning: false } : runOptions, controller, hooks);
      if (!planThenExecute) return { runId: first.entry.run_id, logDir: first.entry.log_dir, done: first.done };
      // The plan, then (when it completed and was not cancelled) the execute run that carries it out.
      const done = first.done.then(async (planned) => {
        if (planned.status !== "completed" || !planned.answer || controller.signal.aborted) return planned;
        const next = await start(executionOfPlan(runOptions, planned), controller, hooks);
        first.entry.execute_run_id = next.entry.run_id;
        hooks.onRun?.({ runId: next.entry.run_id, logDir: next.entry.log_dir });
        return next.done;
      });
      return { runId: first.entry.run_id, logDir: first.entry.log_dir, done };
    },
    cancel(runId, reason) {
      const entry = entries.get(runId);
      if (!entry?.running && !(entry?.execute_run_id && entries.get(entry.execute_run_id)?.running)) return false;
      entry!.controller.abort(`cancelled: ${reason ?? "by the client"}`);
      return true;
    },
    status: (runId) => {
      const entry = entries.get(runId);
      if (!entry) return undefined;
      const { controller: _, ...run } = entry;
      return run;
    },
    runs: () => [...entries.values()].map(({ controller: _, ...run }) => run),
    running: () => [...entries.values()].filter((e) => e.running).map((e) => e.run_id),
    async close(reason = "the server stopped") {
      closing = reason;
      for (const controller of controllers) if (!controller.signal.aborted) controller.abort(`cancelled: ${reason}`);
      while (inflight.size) await Promise.all([...inflight]);
    },
  };
}
