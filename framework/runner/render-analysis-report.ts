import type { AnalysisReport, Severity } from "../analysis/analysis-report.ts";
import { formatSeconds } from "./format-seconds.ts";
import { formatTable } from "./format-table.ts";
import { formatUsd } from "./format-usd.ts";

/** Options of `renderAnalysisReport`. */
export interface RenderAnalysisOptions {
  /** ANSI colours and bold headings (a terminal without NO_COLOR). */
  color?: boolean;
  /** The commands that rerun the run with the recommendations (rerunCommands()). */
  rerun?: string[];
  /** Lines said after the recommendations, e.g. what `--write-config` wrote. */
  notes?: string[];
}

// ANSI codes by severity.
const SEVERITY: Record<Severity, string> = { critical: "31", warning: "33", info: "36" };

/**
 * `conclave analyze`'s report for people: a header (run, status, winner, rounds, calls, time,
 * cost), the findings (severity, kind, summary), each finding's evidence, the recommendations
 * (change, why, expected) and the commands that rerun with them, then the agents' figures.
 * Plain text unless `color`.
 *
 * @example
 * process.stdout.write(renderAnalysisReport(report, { rerun: rerunCommands(report, context) }));
 * // Run 20261202-033000-0123456789ab · completed · winner alpha · 6 rounds · 54 calls · 1.2 s · $0.0000
 * // …
 */
export function renderAnalysisReport(report: AnalysisReport, options: RenderAnalysisOptions = {}): string {
  const paint = (text: string, code: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const heading = (text: string) => paint(text, "1");
  const m = report.metrics;
  const out: string[] = [];
  const rounds = `${m.rounds} round${m.rounds === 1 ? "" : "s"}`;
  const winner = report.winner ? `winner ${report.winner}` : "no winner";
  out.push(heading(`Run ${report.run_id}`) + ` · ${report.status} · ${winner} · ${rounds} · ${m.calls} call${m.calls === 1 ? "" : "s"} · ${formatSeconds(m.duration_s)} · ${formatUsd(m.cost_usd)}`);
  out.push(`Task: ${firstLine(report.task)}`);
  out.push("");

  if (report.findings.length === 0) {
    out.push(heading("Findings: none"), "  Nothing wasted time or money that the analysis can see.");
  } else {
    out.push(heading("Findings"));
    const width = Math.max(...report.findings.map((f) => f.severity.length));
    for (const f of report.findings) out.push(`  ${paint(f.severity.padEnd(width), SEVERITY[f.severity])}  ${f.kind}: ${f.summary}`);
    out.push("", heading("Evidence"));
    for (const f of report.findings) {
      const where = [f.agents.length ? `agents ${f.agents.join(", ")}` : "", f.rounds.length ? `round${f.rounds.length === 1 ? "" : "s"} ${f.rounds.join(", ")}` : ""].filter(Boolean).join("; ");
      out.push(`  ${f.kind}${where ? ` (${where})` : ""}`);
      // The round leads the line, unless the evidence's text already names it.
      for (const e of f.evidence) out.push(`    ${e.round !== undefined && !new RegExp(`\\bround ${e.round}\\b`).test(e.text) ? `round ${e.round}: ` : ""}${e.text}`);
      if (f.evidence.length === 0) out.push("    (no evidence lines)");
    }
  }
  out.push("");

  if (report.recommendations.length > 0) {
    out.push(heading("Recommendations"));
    for (const r of report.recommendations) out.push(`  ${r.change}`, `      why: ${r.why}`, `      expected: ${r.expected}`);
    if (options.notes?.length) out.push("", ...options.notes.map((n) => `  ${n}`));
    if (options.rerun?.length) out.push("", heading("Rerun with them"), ...options.rerun.map((line) => `  ${line}`));
    out.push("");
  } else if (options.notes?.length) out.push(...options.notes, "");

  const ids = Object.keys(m.by_agent);
  if (ids.length > 0) {
    out.push(heading("Agents"));
    const rows = [["agent", "calls", "answers", "votes", "wins", "tokens in/out", "cost", "call median/max", "retries", "failures", "timeouts"]];
    for (const id of ids) {
      const a = m.by_agent[id]!;
      const latency = `${formatSeconds(a.latency_s.median)} / ${formatSeconds(a.latency_s.max)}`;
      rows.push([id, String(a.calls), String(a.answers), String(a.votes), String(a.wins), `${a.tokens.input}/${a.tokens.output}`, formatUsd(a.cost_usd), latency, String(a.retries), String(a.failures), String(a.timeouts)]);
    }
    out.push(...formatTable(rows, { right: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }).map((l) => `  ${l}`));
  }
  const phases = Object.entries(m.seconds_by_phase);
  if (phases.length > 0) out.push(`  Time by phase: ${phases.map(([phase, s]) => `${phase} ${formatSeconds(s)}`).join(", ")}; ${m.restarts} restart${m.restarts === 1 ? "" : "s"}.`);
  return `${out.join("\n").trimEnd()}\n`;
}

function firstLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines.length > 1 ? `${lines[0]} …` : lines[0]!;
}
