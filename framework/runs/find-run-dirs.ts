import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** A run directory found on disk, with the time it last changed. */
export interface FoundRunDir {
  dir: string;
  /** The later of the directory's and its status.json's modification times (status.json is replaced while the run goes). */
  mtimeMs: number;
}

/**
 * The run directories directly under each of `roots`: the child directories that hold a
 * run_description.json. A root that does not exist is skipped.
 *
 * @example
 * const latest = findRunDirs([".conclave/runs"]).sort(newestFirst)[0]?.dir;
 */
export function findRunDirs(roots: string[]): FoundRunDir[] {
  const found: FoundRunDir[] = [];
  for (const root of roots) {
    let names: string[];
    try {
      names = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = join(root, name);
      if (!existsSync(join(dir, "run_description.json"))) continue;
      found.push({ dir, mtimeMs: Math.max(mtimeOf(dir), mtimeOf(join(dir, "status.json"))) });
    }
  }
  return found;
}

/**
 * Orders found run directories the changed-last first (ties by path, the later first, so run ids
 * made in the same second still come in one order): how every `latest` is picked.
 *
 * @example
 * findRunDirs(roots).sort(newestFirst)[0]; // the run that changed last
 */
export function newestFirst(a: FoundRunDir, b: FoundRunDir): number {
  return b.mtimeMs - a.mtimeMs || b.dir.localeCompare(a.dir);
}

// The modification time of `path`, 0 when it is gone (a run directory may be removed while we look).
function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
