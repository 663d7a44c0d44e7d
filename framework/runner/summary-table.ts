/** One row of a workflow's summary: a step and how it went. */
export interface StepRow {
  step: string;
  status: string;
  winner: string | null;
  tokens: number;
  cost_usd: number | null;
  seconds: number;
  /** Taken from the step memo: no model call was made. */
  remembered: boolean;
  /** Files the step's write-back left alone (changed in the project too), with where the winner's version is. */
  conflicts?: { path: string; kept: string }[];
}

/**
 * The table printed when a workflow ends: step, status, winner, tokens, cost, time, and a total;
 * under it a `conflict:` line for each file a step's write-back left alone.
 *
 * @example
 * summaryTable([{ step: "plan", status: "completed", winner: "beta", tokens: 1200, cost_usd: 0.01, seconds: 4.2, remembered: false }])
 */
export function summaryTable(rows: StepRow[]): string {
  const money = (usd: number | null) => (usd === null ? "n/a" : `$${usd.toFixed(4)}`);
  const cost = rows.some((r) => r.cost_usd === null) ? null : rows.reduce((sum, r) => sum + (r.cost_usd ?? 0), 0);
  const body = rows.map((r) => [r.step, r.remembered ? `${r.status} (remembered)` : r.status, r.winner ?? "-", String(r.tokens), money(r.cost_usd), `${r.seconds.toFixed(1)} s`]);
  const total = ["total", `${rows.length} step${rows.length === 1 ? "" : "s"}`, "", String(rows.reduce((s, r) => s + r.tokens, 0)), money(cost), `${rows.reduce((s, r) => s + r.seconds, 0).toFixed(1)} s`];
  const table = [["step", "status", "winner", "tokens", "cost", "time"], ...body, total];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const conflicts = rows.flatMap((r) => (r.conflicts ?? []).map((c) => `conflict: ${r.step}: ${c.path} was left as it is; the winner's version is ${c.kept}`));
  return [line(table[0]!), rule, ...body.map(line), rule, line(total), ...(conflicts.length ? ["", ...conflicts] : [])].join("\n");
}
