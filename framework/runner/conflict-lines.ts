import type { RunResult } from "../runs/run-result.ts";
import { conflictCopyPath } from "../runs/run-workspaces.ts";

/**
 * One line per file the write-back left alone because it changed in the project during the run
 * too: which file, and where the winner's version is kept. None when nothing conflicted.
 *
 * @example
 * conflictLines(result);
 * // ["Conflict: deliverables/api.md changed in the project during the run too and was left as it is; the winner's version is /proj/runs/r1/final/alpha/conflicts/deliverables/api.md. Merge it by hand."]
 */
export function conflictLines(result: RunResult): string[] {
  const changes = result.changes;
  if (!changes) return [];
  return changes.conflicts.map(
    (path) => `Conflict: ${path} changed in the project during the run too and was left as it is; the winner's version is ${conflictCopyPath(changes, path)}. Merge it by hand.`,
  );
}
