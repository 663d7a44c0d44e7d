import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { JournalEvent } from "../runs/run-directory.ts";
import { NotARunError } from "./not-a-run-error.ts";

/** The contract files of one run directory, as analysis reads them; a file absent or unreadable is undefined. */
export interface RunFiles {
  dir: string;
  description: Record<string, unknown>;
  status: Record<string, unknown> | undefined;
  result: Record<string, unknown> | undefined;
  /** events.jsonl in order; a torn last line (the run was writing it) is left out. */
  events: JournalEvent[];
}

/**
 * Reads run_description.json, status.json, result.json and events.jsonl of `runDir`, and only
 * those. Throws a NotARunError naming the directory and what is missing when it is not a run.
 *
 * @example
 * const files = readRunFiles(".conclave/runs/20261202-033655-596269474b84");
 * files.events.length; // 19
 */
export function readRunFiles(runDir: string): RunFiles {
  const dir = resolve(runDir);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new NotARunError(dir, ["run_description.json", "events.jsonl"], `\`${dir}\` does not exist: expected a run directory (with run_description.json and events.jsonl). Pass one such as \`.conclave/runs/<run-id>\`.`);
  }
  if (!isDir) throw new NotARunError(dir, ["run_description.json", "events.jsonl"], `\`${dir}\` is a file, not a run directory: expected a directory with run_description.json and events.jsonl. Pass the directory that holds it.`);
  const eventsText = readText(join(dir, "events.jsonl"));
  const descriptionText = readText(join(dir, "run_description.json"));
  const missing = [descriptionText === undefined && "run_description.json", eventsText === undefined && "events.jsonl"].filter((x): x is string => Boolean(x));
  if (missing.length) {
    throw new NotARunError(dir, missing, `\`${dir}\` is not a run directory: expected run_description.json and events.jsonl in it, ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} missing. Pass a run directory such as \`.conclave/runs/<run-id>\`.`);
  }
  let description: unknown;
  try {
    description = JSON.parse(descriptionText!);
  } catch (cause) {
    throw new NotARunError(dir, ["run_description.json"], `\`${join(dir, "run_description.json")}\` is not valid JSON (${(cause as Error).message}): this is not a run directory Conclave wrote.`, { cause });
  }
  if (!isRecord(description)) throw new NotARunError(dir, ["run_description.json"], `\`${join(dir, "run_description.json")}\` holds ${JSON.stringify(description)}, expected a JSON object: this is not a run directory Conclave wrote.`);
  return { dir, description, status: readJson(join(dir, "status.json")), result: readJson(join(dir, "result.json")), events: parseEvents(eventsText!) };
}

/** The events of an events.jsonl text; a line that does not parse (a torn last line) is skipped. */
export function parseEvents(text: string): JournalEvent[] {
  const events: JournalEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const event = JSON.parse(line) as unknown;
      if (isRecord(event) && typeof event.type === "string") events.push({ ...event, t: typeof event.t === "number" ? event.t : 0 } as JournalEvent);
    } catch {
      // A line torn by a run that was writing it, or stopped mid-write.
    }
  }
  return events;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

// Every file here is replaced atomically, so one that does not parse is absent or foreign: undefined.
function readJson(path: string): Record<string, unknown> | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
