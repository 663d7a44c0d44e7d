import { findRunDirs } from "./find-run-dirs.ts";
import { readRunJson } from "./read-run-file.ts";
import { runEvidence, runLiveness } from "./run-liveness.ts";

/** A run that stopped before it finished and whose process is gone. */
export interface AbandonedRun {
  dir: string;
  runId: string;
  /** Why it counts as abandoned (runLiveness()). */
  reason: string;
}

/**
 * The newest run under `runsDir` of the workflow step `stepKey` (run_description.json `step_key`) that
 * has no result.json and whose process is gone, or undefined: the run a workflow step resumes.
 *
 * @example
 * const abandoned = findAbandonedRun(project.runsDir, key);
 * if (abandoned) await resumeRun(abandoned.dir, { project });
 */
export function findAbandonedRun(runsDir: string, stepKey: string): AbandonedRun | undefined {
  const found = findRunDirs([runsDir]).sort((a, b) => b.mtimeMs - a.mtimeMs || b.dir.localeCompare(a.dir));
  for (const { dir } of found) {
    const description = readRunJson<Record<string, unknown>>(dir, "run_description.json");
    if (description?.step_key !== stepKey) continue;
    if (readRunJson(dir, "result.json") !== undefined) return undefined; // the step's newest run finished
    const liveness = runLiveness(runEvidence(readRunJson(dir, "status.json"), description));
    if (liveness.alive) return undefined;
    return { dir, runId: typeof description.run_id === "string" ? description.run_id : dir, reason: liveness.reason };
  }
  return undefined;
}
