import type { SessionRecord } from "./session-types.ts";

const SHOWN_RUNS = 20;
const ANSWER_PREVIEW = 300;

/**
 * The session's runs as the orchestrator sees them each turn, newest last: id, status, task,
 * winner, cost and the start of the answer. Older runs are counted, not shown (read_run has them).
 *
 * @example
 * runsDigest(record); // "# Runs of this session\n\n- 20261202-… [completed] Plan the cache — winner alpha, $0.0123\n  …"
 */
export function runsDigest(record: SessionRecord, running: Set<string> = new Set()): string {
  if (record.runs.length === 0) return "# Runs of this session\n\n(none yet)";
  const shown = record.runs.slice(-SHOWN_RUNS);
  const lines = shown.map((r) => {
    const status = running.has(r.run_id) ? "running" : r.status;
    const mode = r.args ? ` (${r.args.agent_mode}${r.args.planning_mode ? ", planning" : ""}${r.args.agent_mode === "multi" && r.args.refinement === false ? ", no refinement" : ""})` : "";
    const res = r.result;
    const detail = res ? ` — winner ${res.winner ?? "none"}, ${usd(res.cost_usd)}, ${res.elapsed_seconds}s${res.files_changed.length ? `, changed ${res.files_changed.join(", ")}` : ""}` : "";
    const answer = res?.answer ? `\n  answer: ${oneLine(res.answer).slice(0, ANSWER_PREVIEW)}${res.answer.length > ANSWER_PREVIEW ? "…" : ""}` : "";
    return `- ${r.run_id} [${status}]${mode} ${oneLine(r.task).slice(0, 120)}${detail}${answer}`;
  });
  const older = record.runs.length - shown.length;
  return `# Runs of this session\n\n${older ? `(${older} older runs not shown: read_run or run_status has them)\n` : ""}${lines.join("\n")}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function usd(v: number | null): string {
  return v === null ? "cost unknown" : `$${v.toFixed(4)}`;
}
