import type { StatusJson } from "../runs/status-json.ts";
import { clip } from "./clip.ts";
import { formatSeconds } from "./format-seconds.ts";
import { formatTable } from "./format-table.ts";
import { formatUsd } from "./format-usd.ts";

/** Options of `formatStatus`. */
export interface FormatStatusOptions {
  /** ANSI colours for statuses (a terminal without NO_COLOR). */
  color?: boolean;
  /** Wall-clock ms now, to say how long ago a running run last wrote its status. */
  now?: number;
}

// ANSI colour codes by agent or run status.
const COLORS: Record<string, string> = {
  working: "33",
  presenting: "33",
  running: "33",
  answered: "32",
  voted: "32",
  presented: "32",
  completed: "32",
  failed: "31",
  timed_out: "31",
  timeout: "31",
  budget_exceeded: "31",
  interrupted: "31",
  cancelled: "31",
  abandoned: "31",
  stopped: "31",
};

/**
 * A run's status.json for people: a header (run id, phase, round, completion, elapsed, status),
 * the question, a table of agents, then the winner, the final answer and the usage.
 *
 * @example
 * process.stdout.write(formatStatus(status));
 * // 20261121-061436-7ea521ed6caa  finalization · round 2 · 100% · 0.3 s · completed
 * // Question: Name three risks
 * // …
 */
export function formatStatus(s: StatusJson, options: FormatStatusOptions = {}): string {
  const paint = (text: string, key: string) => {
    const code = COLORS[key.trim()];
    return options.color && code ? `\x1b[${code}m${text}\x1b[0m` : text;
  };
  const c = s.coordination;
  const r = s.results;
  const running = r.status === "running";
  const updated = Date.parse(s.meta.last_updated);
  const ago = running && options.now !== undefined && Number.isFinite(updated) ? ` (updated ${formatSeconds(Math.max(0, options.now - updated) / 1000)} ago)` : "";
  const head = [c.phase, `round ${c.round}`, `${c.completion_percentage}%`, formatSeconds(s.meta.elapsed_seconds), `${paint(r.status, r.status)}${ago}`];

  const ids = Object.keys(s.agents);
  const rows = ids.map((id) => {
    const a = s.agents[id]!;
    return [id, a.status, String(a.answer_count), a.latest_answer_label ?? "-", a.vote ?? "-", String(a.tokens.input + a.tokens.output), formatUsd(a.cost_usd), a.error ? clip(a.error, 60) : ""];
  });
  const table = formatTable([["agent", "status", "answers", "latest", "vote", "tokens", "cost", "error"], ...rows], {
    right: [2, 5, 6],
    paint: (cell, _row, column) => (column === 1 ? paint(cell, cell) : cell),
  });

  const none = running ? "not yet" : "none";
  const votes = Object.entries(r.votes).filter(([, n]) => n > 0).map(([version, n]) => `${version} ${n}`);
  const u = s.usage;
  const lines = [
    `${s.meta.run_id}  ${head.join(" · ")}`,
    ...(r.status === "abandoned" ? [`Abandoned: ${r.status_reason ?? "its process is gone"}; the run will not finish on its own. Resume it where it stopped: npx conclave resume ${s.meta.log_dir}`] : []),
    ...(r.status === "interrupted" ? [`Interrupted before it finished. Resume it where it stopped: npx conclave resume ${s.meta.log_dir}`] : []),
    `Question: ${clip(s.meta.question, 100)}`,
    "",
    ...(ids.length ? table : ["(no agents yet)"]),
    "",
    ...(votes.length ? [`Votes: ${votes.join(", ")}`] : []),
    `Winner: ${r.winner ? `${r.winner}${r.winner_reason ? ` (${r.winner_reason})` : ""}` : none}`,
    `Final answer: ${r.final_answer_path ?? none}`,
    `Usage: ${u.input_tokens} input, ${u.output_tokens} output, ${u.cached_tokens} cached tokens · cost ${formatUsd(u.cost_usd)} · ${u.llm_calls} LLM call${u.llm_calls === 1 ? "" : "s"}`,
    `Run directory: ${s.meta.log_dir}`,
  ];
  return `${lines.join("\n")}\n`;
}
