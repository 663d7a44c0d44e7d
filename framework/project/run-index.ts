import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeJsonAtomic } from "../atomic-write.ts";
import { formatIssues } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { readJsonFile } from "./read-json-file.ts";
import { withFileLock, type FileLockOptions } from "./with-file-lock.ts";

const entryShape = {
  run_id: z.string(),
  step: z.string().optional(),
  workflow: z.string().optional(),
  status: z.string(),
  winner: z.string().nullable(),
  cost_usd: z.number().nullable(),
  started_at: z.string(),
  elapsed_seconds: z.number(),
  log_dir: z.string(),
  task: z.string(),
};

/** One line of a project's run index: enough to list, find and price a past run. */
export interface RunIndexEntry {
  run_id: string;
  /** The workflow step the run belongs to (its explicit id or its step key). */
  step?: string;
  workflow?: string;
  status: string;
  winner: string | null;
  cost_usd: number | null;
  started_at: string;
  elapsed_seconds: number;
  log_dir: string;
  task: string;
}

const entrySchema = z.strictObject(entryShape) satisfies z.ZodType<RunIndexEntry>;

// Fields added by a later version are kept when the index is rewritten.
const indexSchema = z.strictObject({ runs: z.array(z.looseObject(entryShape)) });
// What recordRun() needs of the entries it keeps: their run_id. Checking every field of every past run at each
// new one made a run's end cost grow with the project's history; a reader (readRunIndex) still checks them all.
const rewriteSchema = z.strictObject({ runs: z.array(z.looseObject({ run_id: z.string() })) });

/**
 * The runs recorded in `<runsDir>/index.json`, oldest first; empty when there is none yet.
 *
 * @example
 * readRunIndex("projects/demo/runs").at(-1)?.run_id; // the latest run
 */
export function readRunIndex(runsDir: string): RunIndexEntry[] {
  return readJsonFile(join(runsDir, "index.json"), indexSchema)?.runs ?? [];
}

/**
 * Appends `entry` to `<runsDir>/index.json` (`{ "runs": [...] }`). Safe across processes: the
 * read, append and atomic replace happen while holding `index.json.lock` (see `withFileLock`:
 * a lock left by a dead process is broken at once, and waiting never blocks the event loop), so
 * concurrent writers take turns and none is lost, and readers without the lock always see a
 * whole file. `lock.signal` stops the wait.
 *
 * @example
 * await recordRun("projects/demo/runs", { run_id, status: "completed", winner: "alpha", cost_usd: 0.01,
 *   started_at, elapsed_seconds: 12.5, log_dir, task: "Plan the API" });
 */
export async function recordRun(runsDir: string, entry: RunIndexEntry, lock: FileLockOptions = {}): Promise<void> {
  const checked = entrySchema.safeParse(entry);
  if (!checked.success) throw new ConfigError(formatIssues(checked.error.issues, "recordRun() entry"));
  mkdirSync(runsDir, { recursive: true });
  const path = join(runsDir, "index.json");
  await withFileLock(
    `${path}.lock`,
    () => {
      const runs = readJsonFile(path, rewriteSchema)?.runs ?? [];
      // A run recorded again (resumed after it was interrupted) replaces its earlier entry.
      writeJsonAtomic(path, { runs: [...runs.filter((r) => r.run_id !== checked.data.run_id), checked.data] });
    },
    lock,
  );
}
