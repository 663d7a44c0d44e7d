import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../atomic-write.ts";
import { ConfigError } from "../errors.ts";
import type { RunResult } from "../runs/run-result.ts";

/** What the memo keeps for a finished step: its result and the inputs its key was made from. */
export interface StepMemoEntry {
  result: RunResult;
  inputs: unknown;
}

/**
 * The results of finished workflow steps, one file per step key (`runs/steps/<key>.json`), so a
 * workflow run again with the same inputs reuses them instead of paying twice (docs/architecture.md §7).
 */
export interface StepMemo {
  /** The remembered result, or undefined when there is none (an unreadable entry counts as none). */
  get(key: string): RunResult | undefined;
  /** Remembers a step's result, replacing the file atomically. */
  put(key: string, value: StepMemoEntry): void;
  /** Forgets every step (what `--fresh` means). */
  clear(): void;
}

const KEY = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * A step memo kept in `stepsDir`. Keys are 1–128 letters, digits, `.`, `_` or `-` (what
 * `stepKey()` makes); any other key is a ConfigError, so a key can never name another file.
 *
 * @example
 * const memo = createStepMemo("projects/demo/runs/steps");
 * const key = stepKey({ task, options });
 * const result = memo.get(key) ?? (await runAndRemember(key));
 */
export function createStepMemo(stepsDir: string): StepMemo {
  const fileOf = (key: string) => {
    if (typeof key !== "string" || !KEY.test(key)) {
      throw new ConfigError(
        `step key ${JSON.stringify(key)} is not valid: expected 1 to 128 letters, digits, \`.\`, \`_\` or \`-\`. Use stepKey() to make one, or give the step such an \`id\`.`,
      );
    }
    return join(stepsDir, `${key}.json`);
  };
  return {
    get(key) {
      const path = fileOf(key);
      try {
        const saved = JSON.parse(readFileSync(path, "utf8")) as { result?: Partial<RunResult> } | null;
        const result = saved?.result;
        return result && typeof result === "object" && typeof result.run_id === "string" && typeof result.status === "string" ? (result as RunResult) : undefined;
      } catch {
        return undefined;
      }
    },
    put(key, value) {
      const path = fileOf(key);
      mkdirSync(stepsDir, { recursive: true });
      writeJsonAtomic(path, { key, inputs: value.inputs, result: value.result });
    },
    clear() {
      rmSync(stepsDir, { recursive: true, force: true });
    },
  };
}
