import type { AnalysisReport, FindingKind, Severity } from "./analysis-report.ts";
import { launchOverrides, type LaunchOverrides } from "./launch-overrides.ts";

/** An analysis as a caller whose context is scarce reads it: a chat orchestrator, an MCP client. */
export interface CompactAnalysis {
  run_id: string;
  task: string;
  status: string;
  winner: string | null;
  rounds: number;
  findings: { kind: FindingKind; severity: Severity; summary: string; agents: string[]; rounds: number[]; evidence?: string[] }[];
  recommendations: { change: string; why: string }[];
  /** The recommendations as launch_run arguments: pass them with the same task to rerun it. Absent when there is nothing to pass. */
  launch_run?: Omit<LaunchOverrides, "needs_write_config">;
  /** Changes launch_run cannot make (`conclave analyze <run> --write-config <file>` writes them into a config). */
  needs_write_config?: string[];
}

export interface CompactOptions {
  /** Evidence lines kept per finding (default 0: none). */
  evidence?: number;
  /** The most characters of each summary, `why` and evidence line (default: all). */
  clip?: number;
}

/**
 * The findings and recommendations of a report, without its metrics and with its evidence cut to
 * a few lines, and the recommendations as ready launch_run arguments (launchOverrides()).
 *
 * @example
 * compactAnalysis(await analyzeRun(dir), { evidence: 2 });
 * // { run_id, task, status, winner, rounds: 6, findings: [{ kind: "circling", … }], recommendations: [...],
 * //   launch_run: { coordination_overrides: { max_rounds: 2, voting: "lenient" }, agents: ["alpha", "beta"] } }
 */
export function compactAnalysis(report: AnalysisReport, options: CompactOptions = {}): CompactAnalysis {
  const cut = (text: string) => (options.clip === undefined || text.length <= options.clip ? text : `${text.slice(0, options.clip - 1).trimEnd()}…`);
  const keep = options.evidence ?? 0;
  const { needs_write_config, ...launch } = launchOverrides(report.recommendations);
  return {
    run_id: report.run_id,
    task: report.task,
    status: report.status,
    winner: report.winner,
    rounds: report.metrics.rounds,
    findings: report.findings.map((f) => ({
      kind: f.kind,
      severity: f.severity,
      summary: cut(f.summary),
      agents: f.agents,
      rounds: f.rounds,
      ...(keep > 0 && f.evidence.length > 0 && { evidence: f.evidence.slice(0, keep).map((e) => cut(e.text)) }),
    })),
    recommendations: report.recommendations.map((r) => ({ change: r.change, why: cut(r.why) })),
    ...(Object.keys(launch).length > 0 && { launch_run: launch }),
    ...(needs_write_config.length > 0 && { needs_write_config: needs_write_config.map((n) => `${n.path}: ${n.value}`) }),
  };
}
