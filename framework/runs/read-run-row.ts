import { basename } from "node:path";
import type { RunIndexEntry } from "../project/run-index.ts";
import { readRunJson } from "./read-run-file.ts";
import { runEvidence, runLiveness } from "./run-liveness.ts";
import type { RunResult } from "./run-result.ts";
import type { StatusJson } from "./status-json.ts";

/**
 * One run directory as a line of `conclave runs`, in the shape of a project's run index entry:
 * from result.json when the run has finished; from status.json while it is going (status
 * `running`); `starting` before its first status; `abandoned` when it has not finished and its
 * process is gone (runLiveness()). Task, step and start come from run_description.json.
 *
 * @example
 * readRunRow(".conclave/runs/20261121-101500-3f9a1c2b7d4e").winner; // "beta"
 */
export function readRunRow(dir: string): RunIndexEntry {
  const description = readRunJson<{ task?: string; started_at?: string; step_id?: string; step?: string; workflow?: string; pid?: number; host?: string }>(dir, "run_description.json") ?? {};
  const step = description.step_id ?? description.step;
  const row = (fields: Pick<RunIndexEntry, "status" | "winner" | "cost_usd" | "elapsed_seconds">, runId = basename(dir), task = description.task ?? ""): RunIndexEntry => ({
    run_id: runId,
    ...(typeof step === "string" && { step }),
    ...(typeof description.workflow === "string" && { workflow: description.workflow }),
    status: fields.status,
    winner: fields.winner,
    cost_usd: fields.cost_usd,
    started_at: description.started_at ?? "",
    elapsed_seconds: fields.elapsed_seconds,
    log_dir: dir,
    task,
  });
  const result = readRunJson<RunResult>(dir, "result.json");
  if (result?.usage) {
    return row({ status: result.status, winner: result.winner, cost_usd: result.usage.cost_usd, elapsed_seconds: result.elapsed_seconds }, result.run_id);
  }
  const status = readRunJson<StatusJson>(dir, "status.json");
  if (status?.results && status.usage && status.meta) {
    const going = status.results.status === "running";
    const fields = {
      status: going && !runLiveness(runEvidence(status, undefined)).alive ? "abandoned" : status.results.status,
      winner: status.results.winner,
      cost_usd: status.usage.cost_usd,
      elapsed_seconds: status.meta.elapsed_seconds,
    };
    return row(fields, basename(dir), description.task ?? status.meta.question);
  }
  const starting = runLiveness(runEvidence(undefined, description)).alive ? "starting" : "abandoned";
  return row({ status: starting, winner: null, cost_usd: null, elapsed_seconds: 0 });
}
