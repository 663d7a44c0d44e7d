import { resolve } from "node:path";
import { $ as zx, type Shell } from "zx";
import { z } from "zod";
import { loadConfig } from "../config/load-config.ts";
import { resolveBackend } from "../models/create-model-client.ts";
import { ConfigError } from "../errors.ts";
import { openProject } from "../project/open-project.ts";
import type { Project } from "../project/project.ts";
import { stepKey } from "../project/step-key.ts";
import { PLAN_SCHEMA, VERDICT_SCHEMA, presetRunOptions, type Plan, type PresetOptions, type Verdict } from "../runs/presets.ts";
import { run } from "../runs/run.ts";
import { defaultConfigPath, type RunOptions } from "../runs/run-options.ts";
import type { RunResult } from "../runs/run-result.ts";
import { createAutomationOutput } from "./automation-output.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { loadDotEnv } from "./load-dot-env.ts";
import { createProgressView } from "./progress-view.ts";
import { summaryTable, type StepRow } from "./summary-table.ts";
import { terminalAskHuman } from "./terminal-ask-human.ts";
import { WORKFLOW_HELP, parseWorkflowFlags, type WorkflowFlags } from "./workflow-flags.ts";

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

export interface WorkflowSummary {
  name: string;
  status: "completed" | "failed" | "timeout" | "interrupted" | "error";
  exitCode: number;
  steps: StepRow[];
}

/**
 * The entry of every workflow script (DESIGN §1): parses the shared flags, opens the project,
 * runs `fn` with the presets, remembers finished steps so a re-run resumes instead of paying
 * twice (`--fresh` forgets), prints a summary table, and sets `process.exitCode`.
 *
 * @example
 * await workflow("feature", async ({ plan, execute, project }) => {
 *   const p = await plan("Add WebSocket support");
 *   for (const step of p.data!.steps) await execute(step.task);
 *   project.deliver("summary.md", p.answer ?? "");
 * });
 */
export async function workflow(name: string, fn: (context: WorkflowContext) => Promise<void>, argv = process.argv.slice(2)): Promise<WorkflowSummary> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let flags: WorkflowFlags;
  try {
    loadDotEnv();
    flags = parseWorkflowFlags(argv);
  } catch (error) {
    err(`${name}: ${(error as Error).message}`);
    return finish({ name, status: "error", exitCode: EXIT.usage, steps: [] });
  }
  if (flags.help) {
    out(WORKFLOW_HELP);
    return finish({ name, status: "completed", exitCode: EXIT.ok, steps: [] });
  }

  const rows: StepRow[] = [];
  const controller = new AbortController();
  let presses = 0;
  const onSigint = () => {
    if (++presses > 1) process.exit(EXIT.interrupted);
    err("\nInterrupted: finishing the current run (press Ctrl+C again to quit at once).");
    controller.abort("interrupted");
  };
  process.on("SIGINT", onSigint);
  const say = flags.automation ? err : out;
  try {
    const project = openProject(resolve(flags.project ?? `projects/${name}`), { create: true });
    const configPath = flags.config ?? defaultConfigPath(process.env);
    const config = loadConfig(configPath);
    // What decides which models answer: the config, and for `auto` the environment (never the keys themselves).
    const backends = config.agents.map((a) => (flags.dryRun ? "scripted" : resolveBackend(a.backend.type, process.env).type));
    const fingerprint = JSON.stringify({
      config,
      backends,
      model: process.env.CONCLAVE_MODEL ?? null,
      openai: process.env.OPENAI_BASE_URL ?? null,
      anthropic: process.env.ANTHROPIC_BASE_URL ?? null,
    });
    let index = 0;
    const askHuman = terminalAskHuman();

    const step = async <T>(kind: string, options: RunOptions<T>): Promise<RunResult<T>> => {
      if (controller.signal.aborted) throw new Interrupted();
      index++;
      const label = options.id ?? `${index}. ${kind}: ${oneLine(options.task)}`;
      const inputs = { workflow: name, kind, options: memoInputs(options), context: project.context(), config: fingerprint, dryRun: flags.dryRun };
      const key = stepKey({ id: options.id ?? null, inputs });
      const remembered = flags.fresh ? undefined : project.memo.get(key);
      if (remembered && remembered.status === "completed") {
        rows.push(rowOf(label, remembered, true));
        say(`${label}: remembered (${remembered.winner}, ${remembered.winner_reason})`);
        return remembered as RunResult<T>;
      }
      const automation = flags.automation ? createAutomationOutput(out) : undefined;
      const view = automation ? undefined : createProgressView({ write: (s) => process.stderr.write(s), tty: Boolean(process.stderr.isTTY), color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR });
      if (!automation) err(`\n${label}`);
      const result = await run<T>({
        ...options,
        project,
        config: options.config ?? configPath,
        ...(flags.dryRun && { dryRun: true }),
        signal: controller.signal,
        onStart: ({ logDir }) => automation?.start(logDir),
        onStatus: (s) => view?.update(s),
        onEvent: (e) => (automation ? automation.event(e) : view!.event(e)),
        onNotice: err,
        ...(!flags.automation && { askHuman }),
        id: options.id ?? key,
        description: { workflow: name, step: label, step_key: key },
      });
      if (automation) automation.finish(result);
      else view!.finish(result);
      if (result.status === "completed") project.memo.put(key, { result, inputs });
      rows.push(rowOf(label, result, false));
      if (result.status === "interrupted") throw new Interrupted();
      return result;
    };

    const context: WorkflowContext = {
      plan: (task, options = {}) => step("plan", presetRunOptions(task, options, { planning_mode: true, output: PLAN_SCHEMA as never })),
      execute: (task, options = {}) => step("execute", presetRunOptions(task, options.writes || options.context_paths ? options : { ...options, writes: ["deliverables/"] }, {})),
      verify: (task, options = {}) => step("verify", presetRunOptions(task, options, { output: VERDICT_SCHEMA as never })),
      run: (options) => step("run", options),
      ask: (question, options = {}) => step("ask", presetRunOptions(question, options, {})),
      project,
      $: zx({ cwd: project.dir }),
      log: (...parts) => say(parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" ")),
      flags,
    };
    await fn(context);
    const failed = rows.find((r) => r.status !== "completed");
    const exitCode = failed ? exitCodeFor(failed.status as never) : EXIT.ok;
    return finish({ name, status: failed ? (exitCode === EXIT.timeout ? "timeout" : "failed") : "completed", exitCode, steps: rows });
  } catch (error) {
    if (error instanceof Interrupted) return finish({ name, status: "interrupted", exitCode: EXIT.interrupted, steps: rows });
    const where = userLine(error);
    err(`${name}: ${error instanceof ConfigError ? "" : "error: "}${(error as Error).message ?? String(error)}${where ? ` (${where})` : ""}`);
    return finish({ name, status: "error", exitCode: error instanceof ConfigError ? EXIT.usage : EXIT.execution, steps: rows });
  } finally {
    process.off("SIGINT", onSigint);
  }

  function finish(summary: WorkflowSummary): WorkflowSummary {
    if (summary.steps.length) (flags?.automation ? err : out)(`\n${summaryTable(summary.steps)}`);
    if (flags?.automation) out(`WORKFLOW: ${summary.status}`);
    process.exitCode = summary.exitCode;
    return summary;
  }
}

class Interrupted extends Error {}

function rowOf(step: string, r: RunResult<unknown>, remembered: boolean): StepRow {
  return { step, status: r.status, winner: r.winner, tokens: r.usage.input_tokens + r.usage.output_tokens, cost_usd: r.usage.cost_usd, seconds: remembered ? 0 : r.elapsed_seconds, remembered };
}

// What decides whether a step can be remembered: its options as data (a zod schema as its JSON Schema).
function memoInputs(options: RunOptions<unknown>): unknown {
  const { output, project: _p, signal: _s, clock: _c, env: _e, onStatus: _o, onEvent: _v, onNotice: _n, onStart: _t, approve: _a, description: _d, ...rest } = options;
  return { ...rest, ...(output && { output: z.toJSONSchema(output, { unrepresentable: "any" }) }) };
}

function oneLine(text: string): string {
  const first = text.trim().split("\n")[0]!;
  return first.length > 60 ? `${first.slice(0, 57)}…` : first;
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
