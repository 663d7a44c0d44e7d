import { findRunDirs, newestFirst } from "./find-run-dirs.ts";
import { readRunJson } from "./read-run-file.ts";
import { runEvidence, runLiveness } from "./run-liveness.ts";

/** A run that stopped before it finished (killed, or interrupted) and whose process is gone. */
export interface AbandonedRun {
  dir: string;
  runId: string;
  /** Why it counts as abandoned (runLiveness()), or that it was interrupted. */
  reason: string;
  /** True for a run that finalized as interrupted (its result.json says so). */
  interrupted: boolean;
}

/**
 * The newest run under `runsDir` of the workflow step `stepKey` (run_description.json `step_key`) that
 * has no result.json, or one that says `interrupted` (Ctrl+C, SIGTERM, SIGHUP), and whose process is gone,
 * or undefined: the run a workflow step resumes.
 *
 * @example
 * const abandoned = findAbandonedRun(project.runsDir, key);
 * if (abandoned) await resumeRun(abandoned.dir, { project });
 */
export function findAbandonedRun(runsDir: string, stepKey: string): AbandonedRun | undefined {
  const found = findRunDirs([runsDir]).sort(newestFirst);
  for (const { dir } of found) {
    const description = readRunJson<Record<string, unknown>>(dir, "run_description.json");
    if (description?.step_key !== stepKey) continue;
    const result = readRunJson<{ status?: unknown }>(dir, "result.json");
    const interrupted = result?.status === "interrupted";
    if (result !== undefined && !interrupted) return undefined; // the step's newest run finished
    const liveness = runLiveness(runEvidence(readRunJson(dir, "status.json"), description));
    if (liveness.alive) return undefined;
    return { dir, runId: typeof description.run_id === "string" ? description.run_id : dir, reason: interrupted ? "interrupted" : liveness.reason, interrupted };
  }
  return undefined;
}
