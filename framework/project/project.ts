import type { Filepaths } from "./read-filepaths.ts";
import type { RunIndexEntry } from "./run-index.ts";
import type { StepMemo } from "./step-memo.ts";

/**
 * A project on disk (docs/architecture.md §7), the memory between runs: `CONTEXT.md`, `filepaths.json`,
 * `deliverables/` (the outputs, the source of truth) and `runs/` (git-ignored). Every method
 * reads the disk afresh, so edits made while a workflow runs are seen by its next run.
 *
 * @example
 * const project = openProject("projects/demo");
 * const prompt = `${project.context()}\n\n${task}`;
 * project.deliver("summary.md", answer);
 */
export interface Project {
  name: string;
  /** Absolute path of the project directory. */
  dir: string;
  contextPath: string;
  filepathsPath: string;
  deliverablesDir: string;
  runsDir: string;
  /**
   * CONTEXT.md, the listed files and directories, and the listed files' contents (capped).
   * Throws a ConfigError when it comes to more than `maxBytes` (default 1 MB, the config's `context.max_mb`).
   */
  context(options?: { maxBytes?: number }): string;
  /** filepaths.json, validated; empty lists when the file does not exist. */
  filepaths(): Filepaths;
  /** CONTEXT.md, filepaths.json and every file it lists, absolute (what watch mode watches). */
  watchedFiles(): string[];
  /** Writes `deliverables/<path>` atomically and returns its absolute path; refuses paths outside. */
  deliver(path: string, content: string): string;
  /** Appends a finished run to `runs/index.json`, safely across processes (under `runs/index.json.lock`). */
  recordRun(entry: RunIndexEntry): Promise<void>;
  /** The run index, newest last. */
  runs(): RunIndexEntry[];
  /** Finished steps' results in `runs/steps/`, reused when a workflow runs again. */
  memo: StepMemo;
}
