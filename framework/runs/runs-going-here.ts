/**
 * The run directories whose runs are going in this process (run() and resumeRun() add theirs while
 * they go): a run whose status.json names this process's pid is still going only if it is here.
 *
 * @example
 * runsGoingHere.add(dir); try { await go(); } finally { runsGoingHere.delete(dir); }
 */
export const runsGoingHere = new Set<string>();
