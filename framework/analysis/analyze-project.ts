import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ProjectReport, ProjectRunLine, ProjectStepTotals } from "./analysis-report.ts";
import { analyzeRunFiles, type AnalyzeOptions } from "./analyze-run.ts";
import { NotARunError } from "./not-a-run-error.ts";
import { readRunFiles } from "./read-run-files.ts";
import { roundTo } from "./format-figures.ts";

/** The statuses of a run that did not finish its work. */
const UNFINISHED = new Set(["abandoned", "failed", "timeout", "interrupted", "cancelled", "budget_exceeded"]);
/** How a run that no workflow step made is grouped. */
const NO_STEP = "(no step)";

/**
 * Every run of a project (`<project>/runs/<run-id>/`) analysed: per run its cost, time, calls
 * and findings; cost, time and calls by workflow step, the costliest first; and the runs
 * abandoned or failed. Throws a NotARunError when `projectDir` has no `runs/` directory.
 *
 * @example
 * const report = await analyzeProject("projects/demo");
 * report.steps[0]; // { step: "plan", runs: 3, cost_usd: 0.21, duration_s: 95.2, calls: 42 }
 */
export async function analyzeProject(projectDir: string, options: AnalyzeOptions = {}): Promise<ProjectReport> {
  const dir = resolve(projectDir);
  const runsDir = join(dir, "runs");
  if (!existsSync(runsDir) || !statSync(runsDir).isDirectory()) {
    throw new NotARunError(dir, ["runs/"], `\`${dir}\` is not a project: expected a \`runs/\` directory in it (projects/<name>/runs/<run-id>/), found none. Pass a project directory such as \`projects/demo\`, or a run directory.`);
  }
  const runs: ProjectRunLine[] = [];
  const names = readdirSync(runsDir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(runsDir, d.name, "run_description.json"))).map((d) => d.name).sort();
  for (const name of names) {
    let files;
    try {
      files = readRunFiles(join(runsDir, name));
    } catch {
      continue; // Removed while we looked, or not a run Conclave wrote.
    }
    const report = analyzeRunFiles(files, options);
    // The step as the workflow names it ("2. execute: Add the handler…", or its explicit id), which stays the same
    // across edits of CONTEXT.md, rather than its step key, a hash that does not.
    const step = files.description.step ?? files.description.step_id;
    runs.push({
      run_id: report.run_id,
      step: typeof step === "string" ? step : null,
      workflow: typeof files.description.workflow === "string" ? files.description.workflow : null,
      status: report.status,
      cost_usd: report.metrics.cost_usd,
      duration_s: report.metrics.duration_s,
      calls: report.metrics.calls,
      findings: [...new Set(report.findings.map((f) => f.kind))],
    });
  }
  const steps = new Map<string, ProjectStepTotals>();
  for (const r of runs) {
    const key = r.step ?? NO_STEP;
    const s = steps.get(key) ?? { step: key, runs: 0, cost_usd: 0, duration_s: 0, calls: 0 };
    s.runs++;
    s.cost_usd += r.cost_usd;
    s.duration_s += r.duration_s;
    s.calls += r.calls;
    steps.set(key, s);
  }
  const tidy = (s: ProjectStepTotals) => ({ ...s, cost_usd: roundTo(s.cost_usd, 10), duration_s: roundTo(s.duration_s) });
  return {
    project_dir: dir,
    runs,
    steps: [...steps.values()].map(tidy).sort((a, b) => b.cost_usd - a.cost_usd || b.duration_s - a.duration_s || a.step.localeCompare(b.step)),
    totals: {
      runs: runs.length,
      cost_usd: roundTo(runs.reduce((s, r) => s + r.cost_usd, 0), 10),
      duration_s: roundTo(runs.reduce((s, r) => s + r.duration_s, 0)),
      calls: runs.reduce((s, r) => s + r.calls, 0),
    },
    unfinished: runs.filter((r) => UNFINISHED.has(r.status)).map((r) => r.run_id),
  };
}
