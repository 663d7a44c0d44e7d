import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { analyzeProject } from "../analysis/analyze-project.ts";
import { analyzeRun } from "../analysis/analyze-run.ts";
import { writeRecommendedConfig } from "../analysis/write-recommended-config.ts";
import { loadConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { displayPath } from "../project/display-path.ts";
import { ANALYZE_HELP } from "./command-help.ts";
import { useColor, type CommandIo } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { findRunDirs } from "../runs/find-run-dirs.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { renderAnalysisReport } from "./render-analysis-report.ts";
import { renderProjectReport } from "./render-project-report.ts";
import { rerunCommands, type RunOrigin } from "./rerun-commands.ts";
import { describeEntries, resolveRunDir } from "./resolve-run-dir.ts";

/** Where `conclave analyze` writes: the report on stdout, what --write-config did on stderr. */
export interface AnalyzeIo extends CommandIo {
  stderr: { write(s: string): unknown };
}

/**
 * `conclave analyze [run-dir | latest | project] [--json] [--write-config <file>]`: analyses a
 * run (analyzeRun()) or a project (analyzeProject()) and prints the report for people, or as JSON
 * with `--json`; with `--write-config` writes the tuned config (writeRecommendedConfig()). Returns
 * the exit code; usage problems and a directory that is neither a run nor a project are
 * ConfigErrors (exit 1).
 *
 * @example
 * process.exitCode = await analyzeCommand(["latest", "--write-config", "tuned.yaml"], { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function analyzeCommand(args: string[], io: AnalyzeIo, cwd = process.cwd()): Promise<number> {
  const { values, positionals } = parseCommandArgs("analyze", args, { json: { type: "boolean" }, "write-config": { type: "string" } });
  if (values.help) {
    io.stdout.write(ANALYZE_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) {
    throw new ConfigError(`\`conclave analyze\` takes one run or project, got ${positionals.length}: ${positionals.join(" ")}. Pass one run directory, a project, or none for the latest run.`);
  }
  const out = values["write-config"];
  if (out === "") throw new ConfigError("`--write-config` needs a file name, got an empty one. Pass, for example, `--write-config tuned.yaml`.");
  const target = analysisTarget(positionals[0], cwd);

  if (target.kind === "project") {
    if (out !== undefined) {
      throw new ConfigError(`\`--write-config\` applies to one run, and \`${positionals[0]}\` is a project. Pass one of its runs, such as \`${show(join(target.dir, "runs"), cwd)}/<run-id>\`.`);
    }
    const report = await analyzeProject(target.dir);
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderProjectReport(report, { color: useColor(io), shownDir: show(target.dir, cwd) }));
    return EXIT.ok;
  }

  const report = await analyzeRun(target.dir);
  const notes: string[] = [];
  let written: string | undefined;
  if (out !== undefined) {
    if (report.recommendations.length === 0) notes.push(`Nothing to change, so ${out} was not written.`);
    else {
      const result = writeRecommendedConfig({ runDir: target.dir, recommendations: report.recommendations, out: resolve(cwd, out), env: io.env });
      written = show(result.path, cwd);
      notes.push(`Wrote ${written} (from ${show(result.from, cwd)}): ${result.changes.join("; ") || "no change"}.`);
    }
    if (values.json) for (const note of notes) io.stderr.write(`${note}\n`);
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.ok;
  }
  const config = report.config_path !== null && existsSync(report.config_path) ? show(report.config_path, cwd) : null;
  const given = givenFlags(target.dir, report.config_path, io.env);
  const runsDir = dirname(target.dir);
  if (runsDir !== join(cwd, ".conclave", "runs")) given.runsDir = show(runsDir, cwd);
  const rerun = rerunCommands(report, { origin: runOrigin(target.dir), runDir: show(target.dir, cwd), config, ...given, ...(written !== undefined && { written }) });
  io.stdout.write(renderAnalysisReport(report, { color: useColor(io), rerun, notes }));
  return EXIT.ok;
}

type Target = { kind: "run"; dir: string } | { kind: "project"; dir: string };

// A run directory (resolveRunDir(): a directory, its status.json, a run id, `latest`) or a project.
function analysisTarget(target: string | undefined, cwd: string): Target {
  if (target !== undefined && target !== "latest") {
    const path = resolve(cwd, target);
    const named = join(cwd, "projects", target);
    const dir = existsSync(path) ? path : !/[\\/]/.test(target) && existsSync(join(named, "CONTEXT.md")) ? named : undefined;
    if (dir !== undefined && statSync(dir).isDirectory() && !isRunDir(dir)) {
      if (existsSync(join(dir, "CONTEXT.md")) || isDirectory(join(dir, "runs"))) return { kind: "project", dir };
      if (findRunDirs([dir]).length === 0) {
        throw new ConfigError(
          `\`${target}\` is neither a run nor a project: expected run_description.json (a run), or CONTEXT.md or runs/ (a project) in it, found ${describeEntries(dir)}. Pass a run directory such as \`.conclave/runs/<run-id>\`, \`latest\`, or a project directory such as \`projects/demo\`.`,
        );
      }
    }
  }
  return { kind: "run", dir: resolveRunDir(target, cwd, "analyze") };
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function isRunDir(dir: string): boolean {
  return existsSync(join(dir, "run_description.json")) || existsSync(join(dir, "events.jsonl"));
}

// How the run was started (run_description.json: `command: "ask"`, or a workflow's `workflow` and `step`).
function runOrigin(runDir: string): RunOrigin {
  try {
    const d = JSON.parse(readFileSync(join(runDir, "run_description.json"), "utf8")) as { command?: unknown; workflow?: unknown; step?: unknown };
    if (typeof d.workflow === "string") return { kind: "workflow", workflow: d.workflow, step: typeof d.step === "string" ? d.step : null };
    if (d.command === "ask") return { kind: "ask" };
  } catch {
    // No description (a run abandoned as it started): nothing to say how to start it again.
  }
  return { kind: "other" };
}

// What the run was given besides its config (run_description.json): agents other than the config's list, and --mode single.
function givenFlags(runDir: string, configPath: string | null, env: NodeJS.ProcessEnv): { runAgents?: string[]; single?: boolean; runsDir?: string } {
  let d: { agents?: { id?: unknown }[]; options?: { agent_mode?: unknown } };
  try {
    d = JSON.parse(readFileSync(join(runDir, "run_description.json"), "utf8")) as typeof d;
  } catch {
    return {};
  }
  const ran = Array.isArray(d.agents) ? d.agents.map((a) => a.id).filter((id): id is string => typeof id === "string") : [];
  const single = d.options?.agent_mode === "single";
  let listed: string[] | undefined;
  try {
    if (configPath !== null) listed = loadConfig(configPath, env).agents.map((a) => a.id);
  } catch {
    // A config that no longer loads: nothing to compare the run's agents with.
  }
  const differ = listed !== undefined && ran.length > 0 && ran.join(",") !== listed.join(",") && !(single && listed[0] === ran[0]);
  return { ...(differ && { runAgents: ran }), ...(single && { single }) };
}

// A path as the person should type it: relative to `cwd` when inside it.
function show(path: string, cwd: string): string {
  return cwd === process.cwd() ? displayPath(path) : path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
}

