import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError } from "../errors.ts";
import type { StatusJson } from "../runs/status-json.ts";

/** A status.json as read: its text (printed as is by `--json`) and its parsed value. */
export interface StatusRead {
  path: string;
  text: string;
  status: StatusJson;
}

const SECTIONS = ["meta", "coordination", "agents", "results", "usage"] as const;

/**
 * Reads `<runDir>/status.json`. The run replaces it atomically, so a read parses; a read that
 * meets a missing file (the run has only just started) or bad JSON is tried again, `attempts`
 * times in all, `delayMs` apart. Throws a ConfigError when it still fails.
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
    return { path, text, status: value as StatusJson };
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
