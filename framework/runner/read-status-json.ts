import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError } from "../errors.ts";
import { runEvidence, runLiveness } from "../runs/run-liveness.ts";
import type { StatusJson } from "../runs/status-json.ts";

/** A status.json as read: its text (printed by `--json`) and its parsed value; both say `abandoned` for a run whose process is gone. */
export interface StatusRead {
  path: string;
  text: string;
  status: StatusJson;
}

const SECTIONS = ["meta", "coordination", "agents", "results", "usage"] as const;

/**
 * Reads `<runDir>/status.json`. The run replaces it atomically, so a read parses; a read that
 * meets a missing file (the run has only just started) or bad JSON is tried again, `attempts`
 * times in all, `delayMs` apart, unless run_description.json shows its process is gone. Throws a
 * ConfigError when it still fails. A run that has not finished and whose process is gone is
 * returned as `abandoned` (results.status, with results.status_reason), its text included.
 *
 * @example
 * const { status } = await readStatusJson(".conclave/runs/20261121-101500-3f9a1c2b7d4e");
 * status.coordination.phase; // "voting"
 */
export async function readStatusJson(runDir: string, options: { attempts?: number; delayMs?: number } = {}): Promise<StatusRead> {
  const path = join(runDir, "status.json");
  const attempts = options.attempts ?? 10;
  let failure: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(options.delayMs ?? 100);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new ConfigError(`cannot read \`${path}\`: ${(error as Error).message}. Check that the file is readable.`, { cause: error });
      }
      failure = error;
      // No use waiting for a status from a process that is gone.
      const description = readDescription(runDir);
      const liveness = description ? runLiveness(runEvidence(undefined, description)) : { alive: true as const };
      if (!liveness.alive) {
        throw new ConfigError(
          `\`${runDir}\` was abandoned before its first status: ${liveness.reason}, and it left no status.json. Nothing was decided; start the run again.`,
          { cause: error },
        );
      }
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      failure = error;
      continue;
    }
    const missing = SECTIONS.filter((k) => typeof (value as Record<string, unknown> | null)?.[k] !== "object" || (value as Record<string, unknown>)[k] === null);
    if (missing.length) {
      throw new ConfigError(
        `\`${path}\` is not a Conclave status.json: expected the sections ${SECTIONS.join(", ")}, found it without ${missing.join(", ")}. Pass the directory of a run Conclave wrote.`,
      );
    }
    return judged({ path, text, status: value as StatusJson });
  }
  if ((failure as NodeJS.ErrnoException).code === "ENOENT") {
    throw new ConfigError(
      `\`${runDir}\` has no status.json: expected the run to write it when it starts, found none after ${attempts} tries. If the run has just started, try again; otherwise it stopped before its first status.`,
      { cause: failure },
    );
  }
  throw new ConfigError(`\`${path}\` is not valid JSON after ${attempts} reads: ${(failure as Error).message}. The run may have been killed while writing it; look at its events.jsonl instead.`, {
    cause: failure,
  });
}

// A status.json still `running` whose process is gone reads as abandoned (docs/architecture.md §8); the file itself is left as the run wrote it.
function judged(read: StatusRead): StatusRead {
  if (read.status.results.status !== "running") return read;
  const liveness = runLiveness(runEvidence(read.status, undefined));
  if (liveness.alive) return read;
  const status: StatusJson = { ...read.status, results: { ...read.status.results, status: "abandoned", status_reason: liveness.reason } };
  return { ...read, text: `${JSON.stringify(status, null, 2)}\n`, status };
}

// run_description.json's fields, or undefined when it is missing or does not parse.
function readDescription(runDir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, "run_description.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
