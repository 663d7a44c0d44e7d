import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { newRunId } from "../../framework/runs/run-directory.ts";

/** A run directory written by hand, as a run in progress by this process would leave it, to append its events one by one. */
export interface HandMadeRun {
  runId: string;
  dir: string;
  /** Appends events to events.jsonl, each as one line (`t` added), in one write. */
  append(...events: Record<string, unknown>[]): void;
  /** Appends raw text to events.jsonl (a torn line, say). */
  appendText(text: string): void;
  /** Writes result.json as a finished run does (before its last line, run.finished). */
  finish(result?: Record<string, unknown>): void;
}

/**
 * Makes `<runsDir>/<run-id>/` with run_description.json (this process as its owner, so it is not
 * abandoned) and an empty events.jsonl.
 *
 * @example
 * const run = handMadeRun(runsDir, ["alpha", "beta"]);
 * run.append({ type: "run.phase", phase: "generation", round: 1 });
 */
export function handMadeRun(runsDir: string, agents: string[] = ["alpha", "beta"], runId = newRunId()): HandMadeRun {
  const dir = join(runsDir, runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "run_description.json"),
    JSON.stringify({ run_id: runId, task: "Design a cache for the API", agents: agents.map((id) => ({ id, backend: "scripted", model: "scripted" })), options: { settings: { maxRounds: 3 } }, started_at: new Date().toISOString(), pid: process.pid, host: hostname() }),
  );
  writeFileSync(join(dir, "events.jsonl"), "");
  let t = 0;
  return {
    runId,
    dir,
    append: (...events) => appendFileSync(join(dir, "events.jsonl"), events.map((e) => `${JSON.stringify({ t: (t += 10), ...e })}\n`).join("")),
    appendText: (text) => appendFileSync(join(dir, "events.jsonl"), text),
    finish: (result = {}) =>
      writeFileSync(
        join(dir, "result.json"),
        JSON.stringify({ run_id: runId, status: "completed", winner: "beta", winner_reason: "most votes (2)", usage: { input_tokens: 1, output_tokens: 1, cached_tokens: 0, cost_usd: 0.04, llm_calls: 2 }, final_answer_path: join(dir, "final", "beta", "answer.txt"), changes: { files: ["main.go"] }, started_at: new Date().toISOString(), elapsed_seconds: 1.5, ...result }),
      ),
  };
}
