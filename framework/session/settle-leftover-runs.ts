import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchRunResult } from "../runs/launch-run.ts";
import type { RunResult } from "../runs/run-result.ts";
import { runEvidence, runLiveness } from "../runs/run-liveness.ts";
import type { SessionRecord } from "./session-types.ts";

/**
 * Settles the runs a session's record still calls `running` when it is opened again: the process
 * that ran them (an earlier chat, killed) is gone. A run that wrote result.json takes its real
 * status and result; one whose process is gone is `abandoned`, with the reason; one whose
 * directory is gone is `abandoned` too. A run another process is still working on stays running.
 * Returns how many rows changed (the caller saves).
 *
 * @example
 * if (settleLeftoverRuns(record) > 0) saveRecord(dir, record);
 */
export function settleLeftoverRuns(record: SessionRecord, options: { now?: number } = {}): number {
  let changed = 0;
  for (const row of record.runs) {
    if (row.status !== "running") continue;
    const resultPath = join(row.log_dir, "result.json");
    const result = readJson(resultPath) as RunResult | undefined;
    if (result && typeof result.status === "string") {
      Object.assign(row, { status: result.status, cost_usd: result.usage?.cost_usd ?? null, result: launchRunResult(result) });
      changed++;
      continue;
    }
    if (!existsSync(row.log_dir)) {
      Object.assign(row, { status: "abandoned", status_reason: `its run directory ${row.log_dir} is gone` });
      changed++;
      continue;
    }
    const status = readJson(join(row.log_dir, "status.json")) as { meta?: Record<string, unknown> } | undefined;
    const description = readJson(join(row.log_dir, "run_description.json")) as Record<string, unknown> | undefined;
    const liveness = runLiveness(runEvidence(status, description), options.now !== undefined ? { now: options.now } : {});
    if (!liveness.alive) {
      Object.assign(row, { status: "abandoned", status_reason: liveness.reason });
      changed++;
    }
  }
  return changed;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}
