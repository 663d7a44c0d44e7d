import type { RunStatus } from "../coordination/run-context.ts";

/** Exit codes (docs/architecture.md §4, a contract). */
export const EXIT = { ok: 0, usage: 1, execution: 2, timeout: 3, interrupted: 4 } as const;

/** The exit code for a run that ended with `status`. */
export function exitCodeFor(status: RunStatus): number {
  switch (status) {
    case "completed":
      return EXIT.ok;
    case "timeout":
      return EXIT.timeout;
    case "interrupted":
    case "cancelled":
      return EXIT.interrupted;
    case "failed":
    case "budget_exceeded":
      return EXIT.execution;
  }
}
