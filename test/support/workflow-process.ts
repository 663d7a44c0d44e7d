import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { listFiles, readJson, REPO, startCli, type CliOutcome, type CliProcess } from "./cli-process.ts";

// Helpers for driving workflow scripts (`node --import tsx <script>`) as child processes, from the
// repository root so `import { workflow } from "conclave"` resolves through the package's self-reference.

/** projects/demo, the example project the workflows are run on. */
export const DEMO_PROJECT = join(REPO, "projects", "demo");

/**
 * Copies the demo project's own files (CONTEXT.md, filepaths.json, an empty deliverables/) into
 * `<into>/<name>` and returns that path: no runs/ and no deliverables a previous run left there.
 */
export function copyDemoProject(into: string, name = "demo"): string {
  const dir = join(into, name);
  mkdirSync(join(dir, "deliverables"), { recursive: true });
  for (const file of ["CONTEXT.md", "filepaths.json"]) copyFileSync(join(DEMO_PROJECT, file), join(dir, file));
  const keep = join(DEMO_PROJECT, "deliverables", ".gitkeep");
  if (existsSync(keep)) copyFileSync(keep, join(dir, "deliverables", ".gitkeep"));
  return dir;
}

/** Starts `node --import tsx <script> <args>` in the repository, offline (no API keys, CONCLAVE_CONFIG or CONCLAVE_PROJECT). */
export function startWorkflow(script: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  return startCli(args, {
    cwd: REPO,
    command: [process.execPath, "--import", "tsx", script],
    env: { CONCLAVE_PROJECT: undefined, ...options.env },
    timeoutMs: options.timeoutMs ?? 30_000,
  });
}

/** Runs a workflow script to the end. */
export function runWorkflow(script: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliOutcome> {
  return startWorkflow(script, args, options).exited;
}

/** One body row of the summary table a workflow prints when it ends. */
export interface SummaryRow {
  step: string;
  status: string;
  winner: string;
  tokens: number;
}

/** The body rows of the summary table in `text` (between the rules under the header and above the total). */
export function summaryRows(text: string): SummaryRow[] {
  const lines = text.split("\n");
  const header = lines.findIndex((l) => /^step\s{2,}status\s{2,}winner\s{2,}tokens\s{2,}cost\s{2,}time$/.test(l));
  if (header < 0) throw new Error(`no summary table in:\n${text}`);
  const rule = /^-+(?: {2}-+)+$/;
  if (!rule.test(lines[header + 1] ?? "")) throw new Error(`no rule under the summary table's header in:\n${text}`);
  const rows: SummaryRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (rule.test(line)) return rows;
    const [step, status, winner, tokens] = line.split(/ {2,}/);
    rows.push({ step: step!, status: status!, winner: winner!, tokens: Number(tokens) });
  }
  throw new Error(`the summary table has no closing rule in:\n${text}`);
}

/** One entry of `<project>/runs/index.json`. */
export interface IndexEntry {
  run_id: string;
  step?: string;
  workflow?: string;
  status: string;
  winner: string | null;
  log_dir: string;
  task: string;
}

/** The entries of `<project>/runs/index.json`, oldest first; none when the file does not exist. */
export function runIndex(project: string): IndexEntry[] {
  const path = join(project, "runs", "index.json");
  return existsSync(path) ? readJson<{ runs: IndexEntry[] }>(path).runs : [];
}

/** The run directories under `<project>/runs/` (not `steps/`, the memo), sorted. */
export function runDirs(project: string): string[] {
  const runs = join(project, "runs");
  if (!existsSync(runs)) return [];
  // The kinds come with the names: a stat after the listing could miss a lock file removed meanwhile (ENOENT).
  return readdirSync(runs, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "steps" && entry.name !== ".staging")
    .map((entry) => entry.name)
    .sort();
}

/** The step memo's files, `<project>/runs/steps/*.json`, sorted. */
export function memoFiles(project: string): string[] {
  const steps = join(project, "runs", "steps");
  return existsSync(steps) ? readdirSync(steps).filter((f) => f.endsWith(".json")).sort() : [];
}

/** Every file under `dir` with its contents, keyed by relative path. */
export function fileContents(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((rel) => [rel, readFileSync(join(dir, rel), "utf8")]));
}

/** The 1-based number of the first line of `file` that contains `text`. */
export function lineOf(file: string, text: string): number {
  const index = readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`no line containing ${JSON.stringify(text)} in ${file}`);
  return index + 1;
}
