import type { ProjectReport } from "../analysis/analysis-report.ts";
import { formatSeconds } from "./format-seconds.ts";
import { formatTable } from "./format-table.ts";
import { formatUsd } from "./format-usd.ts";

/** Options of `renderProjectReport`. */
export interface RenderProjectOptions {
  /** Bold headings (a terminal without NO_COLOR). */
  color?: boolean;
  /** The project directory as the person should type it. */
  shownDir?: string;
}

/**
 * `conclave analyze <project>` for people: the totals, the workflow steps by cost (the costliest
 * first, with their share), the runs in order with their findings, then the runs abandoned or
 * failed and the command that analyses one of them.
 *
 * @example
 * process.stdout.write(renderProjectReport(report, { shownDir: "projects/demo" }));
 * // Project projects/demo · 4 runs · 2 m 10 s · $0.0420 · 96 calls
 */
export function renderProjectReport(report: ProjectReport, options: RenderProjectOptions = {}): string {
  const heading = (text: string) => (options.color ? `\x1b[1m${text}\x1b[0m` : text);
  const dir = options.shownDir ?? report.project_dir;
  const t = report.totals;
  const out: string[] = [heading(`Project ${dir}`) + ` · ${t.runs} run${t.runs === 1 ? "" : "s"} · ${formatSeconds(t.duration_s)} · ${formatUsd(t.cost_usd)} · ${t.calls} call${t.calls === 1 ? "" : "s"}`, ""];
  if (report.runs.length === 0) return `${out[0]}\nNo runs yet: run a workflow on it (\`npx conclave run workflows/feature.ts --project ${dir}\`).\n`;

  const share = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : "-");
  out.push(heading("By step, the costliest first"));
  const steps = [["step", "runs", "cost", "share of cost", "time", "share of time", "calls"]];
  for (const s of report.steps) steps.push([s.step, String(s.runs), formatUsd(s.cost_usd), share(s.cost_usd, t.cost_usd), formatSeconds(s.duration_s), share(s.duration_s, t.duration_s), String(s.calls)]);
  out.push(...formatTable(steps, { right: [1, 2, 3, 4, 5, 6] }).map((l) => `  ${l}`), "");

  out.push(heading("By run"));
  const runs = [["run", "step", "status", "cost", "time", "calls", "findings"]];
  for (const r of report.runs) runs.push([r.run_id, r.step ?? "-", r.status, formatUsd(r.cost_usd), formatSeconds(r.duration_s), String(r.calls), r.findings.join(", ") || "-"]);
  out.push(...formatTable(runs, { right: [3, 4, 5] }).map((l) => `  ${l}`), "");

  if (report.unfinished.length > 0) {
    const status = new Map(report.runs.map((r) => [r.run_id, r.status]));
    out.push(heading("Abandoned or failed"), ...report.unfinished.map((id) => `  ${id}  ${status.get(id) ?? ""}`.trimEnd()), "");
  } else out.push("Every run finished.", "");
  const example = report.unfinished[0] ?? report.runs.find((r) => r.findings.length > 0)?.run_id ?? report.runs.at(-1)!.run_id;
  out.push(`Analyze one run: npx conclave analyze ${dir}/runs/${example}`);
  return `${out.join("\n")}\n`;
}
