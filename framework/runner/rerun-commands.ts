import type { AnalysisReport } from "../analysis/analysis-report.ts";

/** How the analysed run was started, from its run_description.json. */
export type RunOrigin = { kind: "ask" } | { kind: "workflow"; workflow: string; step: string | null } | { kind: "other" };

/** What `rerunCommands` needs besides the report. */
export interface RerunContext {
  origin: RunOrigin;
  /** The run directory as the person should type it (relative when inside the working directory). */
  runDir: string;
  /** The config `--write-config` wrote, as the person should type it; absent when none was written. */
  written?: string;
  /** The run's own config as the person should type it; null when it had none (or it is gone). */
  config: string | null;
  /** The agents the run had, when not its config's own list (it was given `--agents`): repeated unless a recommendation picks them. */
  runAgents?: string[];
  /** The run had one agent and no voting (`--mode single`). */
  single?: boolean;
  /** Where an ask run's directory went, when not the default `.conclave/runs` (`--runs-dir`). */
  runsDir?: string;
}

/** The longest task put in a command line whole; a longer (or multi-line) one is shown as `"<task>"`. */
const MAX_TASK_CHARS = 120;

/**
 * The commands that rerun a run with its recommendations: write the tuned config (unless it was
 * written), then the run again on it: `conclave ask` with the run's task, or the workflow with
 * `--fresh`, with the `--agents`, `--mode single` and `--runs-dir` the run was given. When every recommendation
 * only drops agents, also the one-line alternative with `--agents` on the run's own config. Empty
 * when there is nothing to recommend.
 *
 * @example
 * rerunCommands(report, { origin: { kind: "ask" }, runDir: ".conclave/runs/20261202-…", config: "configs/team.yaml" });
 * // ["npx conclave analyze .conclave/runs/20261202-… --write-config tuned.yaml", 'npx conclave ask "Name three risks" --config tuned.yaml']
 */
export function rerunCommands(report: AnalysisReport, context: RerunContext): string[] {
  const recs = report.recommendations;
  if (recs.length === 0) return [];
  const lines: string[] = [];
  const canWrite = context.config !== null;
  const file = context.written ?? "tuned.yaml";
  if (canWrite && context.written === undefined) lines.push(`npx conclave analyze ${shellQuote(context.runDir)} --write-config ${file}`);
  const agents = recs.find((r) => r.agents !== undefined)?.agents;
  // What the run was given besides its config: the same agents (unless a recommendation picks them) and mode.
  const same = [!agents && context.runAgents ? `--agents ${context.runAgents.join(",")}` : "", context.single ? "--mode single" : ""].filter(Boolean).join(" ");
  const again = (flags: string) => {
    flags = [flags, same].filter(Boolean).join(" ");
    if (context.origin.kind === "workflow") {
      const { workflow, step } = context.origin;
      return `npx conclave run <${workflow}.ts> ${flags} --fresh      (workflow ${workflow}${step ? `, step ${step}` : ""})`;
    }
    return `npx conclave ask ${taskArgument(report.task)} ${flags}${context.runsDir ? ` --runs-dir ${shellQuote(context.runsDir)}` : ""}`;
  };
  if (canWrite) lines.push(again(`--config ${shellQuote(file)}`));
  if (agents && recs.every((r) => r.set === undefined || Object.keys(r.set).length === 0)) {
    const config = context.config === null ? "" : ` --config ${shellQuote(context.config)}`;
    lines.push(`${canWrite ? "or: " : ""}${again(`${config.trim()} --agents ${agents.join(",")}`.trim())}`);
  }
  return lines;
}

// The task as one shell word, or `"<task>"` when it is too long or spans lines to paste.
function taskArgument(task: string): string {
  const trimmed = task.trim();
  if (trimmed.length > MAX_TASK_CHARS || /[\r\n]/.test(trimmed)) return '"<task>"';
  return /["$`\\!]/.test(trimmed) ? `'${trimmed.replace(/'/g, "'\\''")}'` : `"${trimmed}"`;
}

// A path or word as the shell reads it: unquoted when plain, else single-quoted.
function shellQuote(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
