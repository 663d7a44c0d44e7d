import { lstatSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

/** What newRunId() makes (runs/run-directory.ts): the UTC time to the second, then 48 random bits in hex. */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{12}$/;

/** A run directory a request may name, or why it may not: `status` is the HTTP status to answer with. */
export type RunDirLookup = { ok: true; runId: string; dir: string } | { ok: false; status: 400 | 403 | 404; error: string };

/**
 * The run directory a run id from a request names: only an id of newRunId()'s shape, and only
 * as a real directory directly under `runsDir` (a symbolic link is refused, wherever it points).
 * The id is never joined to a path before it has been checked, so `../`, encoded or not, cannot
 * leave the runs directory.
 *
 * @example
 * runDirOf("/p/runs", "20261121-101500-3f9a1c2b7d4e"); // { ok: true, runId, dir: "/p/runs/20261121-101500-3f9a1c2b7d4e" }
 * runDirOf("/p/runs", "../etc");                       // { ok: false, status: 400, error: "…" }
 */
export function runDirOf(runsDir: string, runId: string): RunDirLookup {
  if (!RUN_ID_PATTERN.test(runId)) {
    return { ok: false, status: 400, error: `run id ${JSON.stringify(runId.slice(0, 80))} is not a run id: expected the shape 20261121-101500-3f9a1c2b7d4e (UTC date, time, 12 hex digits). Take the id from GET /api/runs.` };
  }
  const dir = join(runsDir, runId);
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return { ok: false, status: 404, error: `no run ${runId} in this server's runs directory. GET /api/runs lists the runs there.` };
  }
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    return { ok: false, status: 403, error: `run ${runId} is not served: its entry in the runs directory is ${stat.isSymbolicLink() ? "a symbolic link" : "not a directory"}, and only real run directories are.` };
  }
  // The runs directory itself may be reached through a link; the run directory must still sit directly in it.
  if (dirname(realpathSync(dir)) !== realpathSync(runsDir)) {
    return { ok: false, status: 403, error: `run ${runId} is not served: it resolves outside the runs directory.` };
  }
  return { ok: true, runId, dir };
}
