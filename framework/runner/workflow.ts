import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Shell } from "zx/core";
import { z } from "zod";
import type { ConclaveConfig } from "../config/config-schema.ts";
import { loadConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { resolveBackend } from "../models/resolve-backend.ts";
import { redactUrls } from "../models/redact-secrets.ts";
import { packagePath } from "../package-root.ts";
import type { Project } from "../project/project.ts";
import { displayPath } from "../project/display-path.ts";
import { stepKey } from "../project/step-key.ts";
import { findAbandonedRun } from "../runs/find-abandoned-run.ts";
import { resumeRun } from "../runs/resume-run.ts";
import { checkOptionNames, RUN_OPTION_NAMES } from "../runs/check-option-names.ts";
import { PLAN_SCHEMA, VERDICT_SCHEMA, presetRunOptions, type Plan, type PresetOptions, type Verdict } from "../runs/presets.ts";
import { run } from "../runs/run.ts";
import { createQueryBoard } from "../runs/query-board.ts";
import { contextDigest } from "../runs/context-digest.ts";
import { conflictCopyPath } from "../runs/run-workspaces.ts";
import { contextMaxBytes, defaultConfigPath, type RunOptions } from "../runs/run-options.ts";
import type { RunResult } from "../runs/run-result.ts";
import type { HumanQuery } from "../workspace/human-query.ts";
import { askWriteBack } from "./approval.ts";
import { approveRun } from "./approve-run.ts";
import { createAutomationOutput } from "./automation-output.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { findRepositoryRoot } from "./find-repository-root.ts";
import { loadDotEnv } from "./load-dot-env.ts";
import { describeStopRequest, onStopRequest, stopReason } from "./on-stop-request.ts";
import { openWorkflowProject } from "./open-workflow-project.ts";
import { createProgressView, loadTerminalView, type ProgressView } from "./progress-view.ts";
import { stepLabel } from "./step-label.ts";
import { summaryTable, type StepRow } from "./summary-table.ts";
import { terminalAskHuman } from "./terminal-ask-human.ts";
import { tolerateClosedOutput } from "./tolerate-closed-output.ts";
import { watchingLine } from "./watching-line.ts";
import { parseWorkflowFlags, workflowHelp, type WorkflowFlags } from "./workflow-flags.ts";

/** What a workflow's function is handed: the presets, the general run, the project, a shell and a logger. */
export interface WorkflowContext {
  /** A plan-only run; `data` is `{ steps: [{ title, task }] }` unless `output` says otherwise. */
  plan<T = Plan>(task: string, options?: PresetOptions<T>): Promise<RunResult<T>>;
  /** A run whose agents work on copies of `writes` (default `deliverables/`); the winner's changes are written back. */
  execute<T = unknown>(task: string, options?: PresetOptions<T>): Promise<RunResult<T>>;
  /** A verdict, `{ passed, issues }`, on `task`, usually with `evidence`. */
  verify<T = Verdict>(task: string, options?: PresetOptions<T>): Promise<RunResult<T>>;
  /** A run with every option of launch_run. */
  run<T = unknown>(options: RunOptions<T>): Promise<RunResult<T>>;
  /** A plain multi-agent run on a question, like `conclave ask`. */
  ask<T = unknown>(question: string, options?: PresetOptions<T>): Promise<RunResult<T>>;
  project: Project;
  /** zx's `$`, in the project directory. */
  $: Shell;
  log(...parts: unknown[]): void;
  flags: WorkflowFlags;
}

export type WorkflowStatus = "completed" | "failed" | "timeout" | "interrupted" | "cancelled" | "error";

export interface WorkflowSummary {
  name: string;
  status: WorkflowStatus;
  exitCode: number;
  steps: StepRow[];
}

type WorkflowFn = (context: WorkflowContext) => Promise<void>;

/**
 * The entry of every workflow script (docs/architecture.md §7): parses the shared flags, opens the project,
 * runs `fn` with the presets, remembers finished steps so a re-run resumes instead of paying
 * twice (`--fresh` forgets), prints a summary table, and sets `process.exitCode`. With
 * `--watch` it runs again whenever the project's context or the script changes.
 *
 * @example
 * await workflow("feature", async ({ plan, execute, project }) => {
 *   const p = await plan("Add WebSocket support");
 *   for (const step of p.data!.steps) await execute(step.task);
 *   project.deliver("summary.md", p.answer ?? "");
 * });
 */
export async function workflow(name: string, fn: WorkflowFn, argv = process.argv.slice(2)): Promise<WorkflowSummary> {
  tolerateClosedOutput();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // While a run's progress block is on the terminal, a line for stderr is written above it (never through it).
  const screen: Screen = {};
  const err = (line: string) => (screen.view ? screen.view.print(line) : process.stderr.write(`${line}\n`));
  let flags: WorkflowFlags;
  let project: Project;
  let config: ConclaveConfig;
  let configPath: string;
  try {
    // The defaults live in the script's repository, wherever it is started from; explicit paths are the shell's.
    const root = findRepositoryRoot(process.argv[1] ?? process.cwd());
    // Keys from ./.env, then from the repository's .env for what it did not set.
    loadDotEnv();
    loadDotEnv(root);
    flags = parseWorkflowFlags(argv);
    if (flags.help) {
      process.stdout.write(scriptHelp(name));
      return done({ name, status: "completed", exitCode: EXIT.ok, steps: [] }, false);
    }
    // The config is checked before anything is written; a project the user named must exist.
    configPath = flags.config ?? defaultConfigPath(process.env, root);
    config = loadConfig(configPath);
    project = openWorkflowProject({ explicit: flags.project && resolve(flags.project), from: flags.projectFrom, defaultDir: join(root, "projects", name) }, err);
  } catch (error) {
    err(`${name}: ${(error as Error).message}`);
    return done({ name, status: "error", exitCode: EXIT.usage, steps: [] }, false);
  }
  const setup = { name, fn, flags, project, config, configPath, out, err, screen };
  if (!flags.watch) {
    const controller = new AbortController();
    const stop = onCtrlC(err, (reason) => controller.abort(reason));
    try {
      return done(await iteration(setup, controller.signal), flags.automation);
    } finally {
      stop();
    }
  }
  // In watch mode each pass has printed its own WORKFLOW line.
  return done(await watchLoop(setup), false);

  function done(summary: WorkflowSummary, automation: boolean): WorkflowSummary {
    if (automation) out(`WORKFLOW: ${summary.status}`);
    process.exitCode = summary.exitCode;
    return summary;
  }
}

interface Setup {
  name: string;
  fn: WorkflowFn;
  flags: WorkflowFlags;
  project: Project;
  config: ConclaveConfig;
  configPath: string;
  out: (line: string) => void;
  err: (line: string) => void;
  screen: Screen;
}

// The script's own --help: its usage under both launchers, the one it was started with first, then the workflow flags.
function scriptHelp(name: string): string {
  const script = process.argv[1] ? displayPath(resolve(process.argv[1])) : "<workflow.ts>";
  const byRun = (globalThis as Record<symbol, unknown>)[Symbol.for("conclave.startedByRun")] === true; // run-script.ts
  const launchers = byRun ? ["npx conclave run", "npx tsx"] : ["npx tsx", "npx conclave run"];
  return workflowHelp({
    usage: `Usage: ${launchers[0]} ${script} [options]\n   or: ${launchers[1]} ${script} [options]`,
    about: `Runs the workflow \`${name}\` on a project: by default projects/${name}, created on first use.`,
    script,
    command: launchers[0]!,
  });
}

// The progress view of the run in progress, if one is on the terminal.
interface Screen {
  view?: ProgressView;
}

// Notices (which backend `auto` chose, a model with no price, the sandbox, a missing listed file) said once per pass of the workflow, not once per run.
const noticesSaid = new Set<string>();

// Ctrl+C, SIGTERM, SIGHUP or a launcher that died: the first cancels the current run, which finalizes as interrupted; a second signal exits at once.
function onCtrlC(err: (line: string) => void, cancel: (reason: string) => void, running: () => boolean = () => true): () => void {
  let requests = 0;
  return onStopRequest((request) => {
    if (++requests > 1) return request.kind === "signal" ? process.exit(EXIT.interrupted) : undefined;
    err(running() ? `\n${describeStopRequest(request, "the current run")}` : "\nStopped watching.");
    cancel(stopReason(request));
  });
}

// Watch mode: run, then run again on every change of the watched files; a change mid-run cancels it.
async function watchLoop(setup: Setup): Promise<WorkflowSummary> {
  const { project, err } = setup;
  let last: WorkflowSummary = { name: setup.name, status: "completed", exitCode: EXIT.ok, steps: [] };
  let controller = new AbortController();
  let current: Promise<void> | undefined;
  let again = false;
  let scriptChanged = false;
  let stopped = false;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const script = process.argv[1] ? resolve(process.argv[1]) : undefined;
  // The framework's own writes (deliverables/, runs/) never start a run.
  const ours = (file: string) => [project.deliverablesDir, project.runsDir].some((dir) => file.startsWith(`${dir}/`));
  const files = () => [...project.watchedFiles(), ...(script ? [script] : [])].filter((f) => !ours(f));
  // A watched file as the person knows it: inside the project relative to it, else as displayPath() names it.
  const shown = (file: string) => (file.startsWith(`${project.dir}/`) ? file.slice(project.dir.length + 1) : displayPath(file));
  // chokidar is loaded only by a workflow under --watch.
  const { watchFiles } = await import("./watch.ts");
  const watcher = watchFiles(files, (changed) => onChange(changed));
  followParent();

  const start = () => {
    again = false;
    controller = new AbortController();
    current = iteration(setup, controller.signal).then(async (summary) => {
      last = summary;
      current = undefined;
      if (setup.flags.automation) setup.out(`WORKFLOW: ${summary.status}`);
      if (stopped || scriptChanged) return finish();
      if (again) return start();
      await watcher.refresh(); // filepaths.json may list other files now
      err(`\n${watchingLine(files().map(shown))}`);
    });
  };
  const onChange = (changed: string[]) => {
    if (stopped || scriptChanged) return;
    scriptChanged = script !== undefined && changed.includes(script);
    const names = changed.map(shown).join(", ");
    err(`\nChanged: ${names}${current ? ": cancelling the current run and starting again." : ": running again."}`);
    if (current) {
      again = true;
      // The run ends `cancelled`, its status_reason naming the change.
      controller.abort(`cancelled: ${names} changed`);
    } else if (scriptChanged) finish();
    else start();
  };
  const stop = onCtrlC(err, (reason) => {
    stopped = true;
    if (current) controller.abort(reason);
    else {
      last = { ...last, exitCode: EXIT.ok };
      finish();
    }
  }, () => current !== undefined);
  await watcher.ready;
  start();
  await finished;
  stop();
  await watcher.close();
  // The script itself changed: its new code needs a new process (an ES module is imported once). A process that was
  // itself started again hands that back to the one that started it, which starts the next: edits never stack processes.
  if (!scriptChanged) return last;
  if (process.env[PARENT_ENV] === String(process.ppid)) return { ...last, exitCode: START_AGAIN };
  return { ...last, exitCode: await reexecute(err) };
}

const PARENT_ENV = "CONCLAVE_WATCH_PARENT";
// The exit code by which a process started again for a script change asks its parent for a new one (never a
// workflow's own: those are 0 to 4).
const START_AGAIN = 75;

// A process started again after a script change stops when the process that started it is already gone (even if
// killed); once it watches, onStopRequest() notices a parent that dies later and finalizes the run in progress.
function followParent(): void {
  const parent = Number(process.env[PARENT_ENV]);
  if (parent && process.ppid !== parent) process.exit(EXIT.interrupted);
}

// Runs this same command again in a new process, with the terminal handed over to it, and again each time that one
// asks (START_AGAIN: the script changed once more); resolves to the last one's exit code.
async function reexecute(err: (line: string) => void): Promise<number> {
  const loader = pathToFileURL(createRequire(packagePath("package.json")).resolve("tsx/esm")).href;
  // Under `conclave run`, tsx and the hook that loads .ts as a module were registered in-process: the new one gets both.
  const esm = pathToFileURL(packagePath("framework/runner/typescript-as-esm.js")).href;
  const execArgv = process.execArgv.some((a) => a.includes("tsx")) ? process.execArgv : [...process.execArgv, "--import", loader, "--import", esm];
  let child: ReturnType<typeof spawn> | undefined;
  // Every signal is passed on: a Ctrl+C at a terminal reaches the new process too, and one relayed within 300 ms is
  // the same request to it (onStopRequest), while a SIGINT sent to this process alone must reach it.
  const forward = (signal: NodeJS.Signals) => child?.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);
  // This process's own launcher dying stops the new process too, which finalizes its run.
  const unwatch = onStopRequest((request) => request.kind === "parent" && child?.kill("SIGTERM"));
  let code: number | null;
  do {
    err("The workflow script changed: starting it again in a new process.");
    child = spawn(process.execPath, [...execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: { ...process.env, [PARENT_ENV]: String(process.pid) } });
    [code] = (await once(child, "exit")) as [number | null];
  } while (code === START_AGAIN);
  unwatch();
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  process.off("SIGHUP", forward);
  return code ?? EXIT.interrupted;
}

// One pass of the workflow's function, under `signal`; returns its summary after printing the table.
async function iteration(setup: Setup, signal: AbortSignal): Promise<WorkflowSummary> {
  const { name, fn, flags, project, config, configPath, out, err, screen } = setup;
  noticesSaid.clear(); // each pass says them again: in watch mode a warning still true after an edit is still shown
  const rows: StepRow[] = [];
  const say = flags.automation ? err : out;
  const interactive = Boolean(process.stdin.isTTY) && !flags.automation && !flags.yes;
  // Agents' questions wait on a query board for coordination.timeouts.human, then the agent states its assumption.
  const askHuman = terminalAskHuman({ board: createQueryBoard({ timeoutMs: config.coordination.timeouts.human * 1000 }) });
  // What decides which models answer: the config, and for `auto` the environment (never the keys
  // themselves, nor credentials inside a base_url: the memo stores this text).
  const fingerprint = redactUrls(JSON.stringify({
    config,
    backends: config.agents.map((a) => (flags.dryRun ? "scripted" : resolveBackend(a.backend.type, process.env).type)),
    model: process.env.CONCLAVE_MODEL ?? null,
    openai: process.env.OPENAI_BASE_URL ?? null,
    anthropic: process.env.ANTHROPIC_BASE_URL ?? null,
  }));
  let index = 0;

  const step = async <T>(kind: string, requested: RunOptions<T>): Promise<RunResult<T>> => {
    checkOptionNames(requested, RUN_OPTION_NAMES); // before any await, so the error points at the script's line
    if (signal.aborted) throw new Stopped(String(signal.reason).startsWith("cancelled") ? "cancelled" : "interrupted");
    index++;
    const label = requested.id ?? stepLabel(index, kind, requested.task);
    let options: RunOptions<T> = { ...requested, project, config: requested.config ?? configPath, ...(flags.dryRun && { dryRun: true }) };
    const inputs = { workflow: name, kind, options: memoInputs(requested), ...contextDigest(project.context({ maxBytes: contextMaxBytes(config) })), config: fingerprint, dryRun: flags.dryRun };
    const key = stepKey({ id: requested.id ?? null, inputs });
    const remembered = flags.fresh ? undefined : project.memo.get(key);
    if (remembered && remembered.status === "completed") {
      rows.push(rowOf(label, remembered, true));
      say(`${label}: remembered (${remembered.winner}, ${remembered.winner_reason})`);
      return remembered as RunResult<T>;
    }
    // A run of this step that was killed (its process gone) goes on where it stopped, unless --fresh.
    const abandoned = flags.fresh ? undefined : findAbandonedRun(project.runsDir, key);
    if (!abandoned) options = await approved(label, options);
    const automation = flags.automation ? createAutomationOutput(out) : undefined;
    const view = automation ? undefined : createProgressView({ stream: process.stderr, tty: Boolean(process.stderr.isTTY), color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR });
    if (!automation) err(`\n${label}`);
    screen.view = view;
    let asking = 0;
    let runId = "";
    let result: RunResult<T> | undefined;
    try {
      const plumbing = {
        signal,
        onStart: (started) => {
          runId = started.runId;
          automation?.start(started.logDir);
        },
        onStatus: (s) => view?.update(s),
        onEvent: (e) => (automation ? automation.event(e) : view!.event(e)),
        onNotice: (line) => {
          if (noticesSaid.has(line)) return;
          noticesSaid.add(line);
          err(line);
        },
        // An agent's question has the screen to itself: the block is taken off while one is asked, drawn again after.
        ...(!flags.automation && {
          askHuman: async (query: HumanQuery, signal?: AbortSignal, asker?: { agent: string }) => {
            if (asking++ === 0) view?.pause();
            try {
              return await askHuman(runId, asker?.agent ?? null, query, signal);
            } finally {
              if (--asking === 0) view?.resume();
            }
          },
        }),
        ...(interactive &&
          flags.confirm && {
            approve: async ({ changes, patchPath }) => {
              view?.pause();
              try {
                return await askWriteBack(changes, patchPath, process.stdin, process.stderr, signal);
              } finally {
                view?.resume();
              }
            },
          }),
      } satisfies Partial<RunOptions<T>>;
      if (abandoned) {
        try {
          result = await resumeRun<T>(abandoned.dir, {
            ...plumbing,
            // Said once the resume is under way (a run that cannot be resumed says why instead).
            onStart: (info) => {
              say(`${label}: resuming run ${abandoned.runId} (${abandoned.interrupted ? "interrupted" : `abandoned: ${abandoned.reason}`})`);
              plumbing.onStart(info);
            },
            project,
            ...(requested.output && { output: requested.output }),
            ...(options.config !== undefined && { config: options.config }),
            ...(requested.context !== undefined && { context: requested.context }),
          });
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          say(`${label}: run ${abandoned.runId} was abandoned and cannot be resumed (${error.message}); running the step again`);
          options = await approved(label, options);
        }
      }
      result ??= await run<T>({ ...options, ...plumbing, id: requested.id ?? key, description: { workflow: name, step: label, step_key: key } });
    } finally {
      screen.view = undefined;
    }
    if (automation) automation.finish(result);
    else view!.finish(result);
    if (result.status === "completed") project.memo.put(key, { result, inputs });
    rows.push(rowOf(label, result, false));
    if (result.status === "interrupted" || result.status === "cancelled") throw new Stopped(result.status);
    return result;
  };

  // Before a run above approval.above_usd, or every run with --confirm: the run card, then Approve / Edit agents / Cancel.
  const approved = async <T>(label: string, options: RunOptions<T>): Promise<RunOptions<T>> => {
    const decision = await approveRun(options, {
      aboveUsd: config.approval.above_usd,
      confirm: flags.confirm,
      label,
      ...((flags.yes || flags.automation) && { approvedBy: flags.yes ? "--yes" : "automation mode" }),
      stdin: process.stdin,
      stderr: process.stderr,
      say: err,
      signal,
    });
    if (decision.action === "cancel") throw new Stopped("cancelled");
    // A watched file changed while the card was up: that cancels (and watch mode runs again), as mid-run.
    if (decision.action === "interrupt") throw new Stopped(String(signal.reason).startsWith("cancelled") ? "cancelled" : "interrupted");
    return decision.options;
  };

  if (!flags.automation && process.stderr.isTTY) await loadTerminalView();
  let shell: Shell | undefined;
  const context: WorkflowContext = {
    plan: (task, options = {}) => step("plan", presetRunOptions(task, options, { planning_mode: true, output: PLAN_SCHEMA as never })),
    execute: (task, options = {}) => step("execute", presetRunOptions(task, options.writes || options.context_paths ? options : { ...options, writes: ["deliverables/"] }, {})),
    verify: (task, options = {}) => step("verify", presetRunOptions(task, options, { output: VERDICT_SCHEMA as never })),
    run: (options) => step("run", options),
    ask: (question, options = {}) => step("ask", presetRunOptions(question, options, {})),
    project,
    // zx/core (zx's `$` without its extras: globby, fs-extra, minimist…) is loaded when a workflow first takes `$`:
    // its CommonJS build, synchronously, since `$` is used at once. Loading it took ~20 ms, which a workflow that
    // runs no command (most) no longer pays.
    get $(): Shell {
      if (!shell) {
        const zx = createRequire(import.meta.url)("zx/core") as typeof import("zx/core");
        shell = zx.$({ cwd: project.dir }) as Shell;
      }
      return shell;
    },
    log: (...parts) => say(parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" ")),
    flags,
  };

  let summary: WorkflowSummary;
  try {
    await fn(context);
    const failed = rows.find((r) => r.status !== "completed");
    const exitCode = failed ? exitCodeFor(failed.status as never) : EXIT.ok;
    summary = { name, status: failed ? (exitCode === EXIT.timeout ? "timeout" : "failed") : "completed", exitCode, steps: rows };
  } catch (error) {
    if (error instanceof Stopped) summary = { name, status: error.status, exitCode: EXIT.interrupted, steps: rows };
    else {
      const where = userLine(error);
      err(`${name}: ${error instanceof ConfigError ? "" : "error: "}${(error as Error).message ?? String(error)}${where ? ` (${where})` : ""}`);
      summary = { name, status: "error", exitCode: error instanceof ConfigError ? EXIT.usage : EXIT.execution, steps: rows };
    }
  }
  if (rows.length) say(`\n${summaryTable(rows)}`);
  return summary;
}

// A run or the workflow was stopped: Ctrl+C (interrupted), a watched change or a refused approval (cancelled).
class Stopped extends Error {
  constructor(readonly status: "interrupted" | "cancelled") {
    super(status);
  }
}

function rowOf(step: string, r: RunResult<unknown>, remembered: boolean): StepRow {
  const conflicts = remembered || !r.changes ? [] : r.changes.conflicts.map((path) => ({ path, kept: conflictCopyPath(r.changes!, path) }));
  return {
    step,
    status: r.status,
    winner: r.winner,
    tokens: r.usage.input_tokens + r.usage.output_tokens,
    cost_usd: r.usage.cost_usd,
    seconds: remembered ? 0 : r.elapsed_seconds,
    remembered,
    ...(conflicts.length && { conflicts }),
  };
}

// What decides whether a step can be remembered: its options as data (a zod schema as its JSON Schema).
function memoInputs(options: RunOptions<unknown>): unknown {
  const { output, project: _p, signal: _s, clock: _c, env: _e, onStatus: _o, onEvent: _v, onNotice: _n, onStart: _t, approve: _a, askHuman: _h, description: _d, ...rest } = options;
  return { ...rest, ...(output && { output: z.toJSONSchema(output, { unrepresentable: "any" }) }) };
}

// The first stack frame in the workflow script itself, e.g. "workflows/feature.ts:12".
function userLine(error: unknown): string | undefined {
  const script = process.argv[1];
  if (!script || !(error instanceof Error) || !error.stack) return undefined;
  const frame = error.stack.split("\n").find((l) => l.includes(script));
  const match = frame?.match(/(?:file:\/\/)?([^():\s]+):(\d+):\d+/);
  if (!match) return undefined;
  const rel = match[1]!.startsWith(process.cwd()) ? match[1]!.slice(process.cwd().length + 1) : match[1]!;
  return `${rel}:${match[2]}`;
}
