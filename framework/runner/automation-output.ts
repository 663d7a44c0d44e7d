import type { RunResult } from "../runs/run-result.ts";
import { conflictCopyPath } from "../runs/run-workspaces.ts";
import type { JournalEvent } from "../runs/run-directory.ts";

// completion_percentage as each phase begins; finalization's line is printed once the run is over.
const PERCENT: Record<string, number> = { planning: 5, generation: 10, voting: 40, presentation: 85, finalization: 100 };

/**
 * The automation output (docs/architecture.md §4, a contract): plain lines, no ANSI codes. `LOG_DIR:` first,
 * then a `Phase:` line per phase, then `Winner:`, `Final answer:`, a `Conflict:` line per file
 * the write-back left alone (changed in the project too), and `Elapsed:`.
 *
 * @example
 * const out = createAutomationOutput((line) => process.stdout.write(`${line}\n`));
 */
export function createAutomationOutput(write: (line: string) => void) {
  let phase = "";
  return {
    start(logDir: string) {
      write(`LOG_DIR: ${logDir}`);
    },
    event(event: JournalEvent) {
      if (event.type !== "run.phase" || event.phase === phase) return;
      phase = String(event.phase);
      write(`Phase: ${phase} (${PERCENT[phase] ?? 0}%)`);
    },
    finish(result: RunResult) {
      if (phase !== "finalization") write("Phase: finalization (100%)");
      if (result.winner) write(`Winner: ${result.winner} (${result.winner_reason})`);
      if (result.final_answer_path) write(`Final answer: ${result.final_answer_path}`);
      for (const path of result.changes?.conflicts ?? []) write(`Conflict: ${path} (left as it is; the winner's version: ${conflictCopyPath(result.changes!, path)})`);
      write(`Elapsed: ${result.elapsed_seconds} seconds`);
    },
  };
}
