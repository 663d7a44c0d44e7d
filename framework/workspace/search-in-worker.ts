import { Worker } from "node:worker_threads";
import { packagePath } from "../package-root.ts";

/** What to look for: a plain substring, or a regex's source and flags (already known to compile). */
export type SearchPattern = { text: string; regex?: undefined } | { regex: { source: string; flags: string }; text?: undefined };

export interface SearchJob {
  /** The files to search, absolute, each with how to show it to the agent. */
  files: { path: string; shown: string }[];
  pattern: SearchPattern;
  limits: { matches: number; outputBytes: number; fileBytes: number; lineShown: number };
}

/** The outcome of a search: matching lines, or why it stopped early. */
export type SearchOutcome =
  | { kind: "done"; lines: string[]; more: boolean; tooLarge: string[] }
  | { kind: "timeout" }
  | { kind: "cancelled" };

// From its source path, also when this code runs from dist/: the worker is plain JavaScript.
const WORKER = packagePath("framework/workspace/search-worker.js");

/**
 * Runs a search in a worker thread, so a pattern that backtracks for minutes never blocks the
 * event loop: after `timeoutMs`, or as soon as `signal` aborts, the worker is terminated and
 * the outcome says which. The worker is plain JavaScript started without the parent's
 * `execArgv`, so it needs no TypeScript loader.
 *
 * @example
 * const outcome = await searchInWorker(job, { timeoutMs: 10_000, signal });
 * if (outcome.kind === "done") console.log(outcome.lines.join("\n"));
 */
export function searchInWorker(job: SearchJob, options: { timeoutMs: number; signal?: AbortSignal }): Promise<SearchOutcome> {
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve({ kind: "cancelled" });
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: job, execArgv: [], stdout: true, stderr: true });
    let settled = false;
    const settle = (outcome: SearchOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onAbort = () => settle({ kind: "cancelled" });
    const timer = setTimeout(() => settle({ kind: "timeout" }), options.timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (result: { lines: string[]; more: boolean; tooLarge: string[] }) => settle({ kind: "done", ...result }));
    worker.once("error", (error) => settle(error));
    worker.once("exit", (code) => settle(new Error(`search_files: the search worker exited with code ${code} before answering`)));
  });
}
