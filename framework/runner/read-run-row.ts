import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { RunIndexEntry } from "../project/run-index.ts";
import type { RunResult } from "../runs/run-result.ts";
import type { StatusJson } from "../runs/status-json.ts";

/**
 * One run directory as a line of `conclave runs`, in the shape of a project's run index entry:
 * from result.json when the run has finished; from status.json while it is going (status
 * `running`); `starting` before its first status. Task, step and start come from
 * run_description.json.
 *
 * @example
 * readRunRow(".conclave/runs/20261121-101500-3f9a1c2b7d4e").winner; // "beta"
 */
export function readRunRow(dir: string): RunIndexEntry {
  const description = readJson<{ task?: string; started_at?: string; step_id?: string; step?: string; workflow?: string }>(join(dir, "run_description.json")) ?? {};
  const step = description.step_id ?? description.step;
  const base = {
    run_id: basename(dir),
    ...(typeof step === "string" && { step }),
    ...(typeof description.workflow === "string" && { workflow: description.workflow }),
    started_at: description.started_at ?? "",
    log_dir: dir,
    task: description.task ?? "",
  };
  const result = readJson<RunResult>(join(dir, "result.json"));
  if (result) {
    return { ...base, run_id: result.run_id, status: result.status, winner: result.winner, cost_usd: result.usage.cost_usd, elapsed_seconds: result.elapsed_seconds };
  }
  const status = readJson<StatusJson>(join(dir, "status.json"));
  if (status?.results && status.usage && status.meta) {
    return { ...base, status: status.results.status, winner: status.results.winner, cost_usd: status.usage.cost_usd, elapsed_seconds: status.meta.elapsed_seconds, task: base.task || status.meta.question };
  }
  return { ...base, status: "starting", winner: null, cost_usd: null, elapsed_seconds: 0 };
}

// A JSON file's value, or undefined when it is missing or does not parse (every file here is replaced atomically, so that means absent or foreign).
function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}
