import { closeSync, copyFileSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../atomic-write.ts";
import { systemClock, type Clock } from "../clock.ts";
import { ConfigError } from "../errors.ts";
import { keepOutOfGit } from "../project/project-skeleton.ts";
import { tempFileName } from "../temp-file-name.ts";
import { isSessionId, newSessionId } from "./new-session-id.ts";
import { readMessages } from "./read-messages.ts";
import { describeIssue, SESSION_RECORD_SCHEMA } from "./session-schema.ts";
import type { SessionRecord, SessionUsage, StoredMessage } from "./session-types.ts";

// Sessions on disk (docs/architecture.md §9, a contract): `<sessions>/<id>/session.json`, replaced atomically, and
// `<sessions>/<id>/messages.jsonl`, one StoredMessage per line, only ever appended to.

/** A session read from disk. */
export interface StoredSession {
  id: string;
  /** The session's own directory, `<sessions>/<id>`. */
  dir: string;
  record: SessionRecord;
  messages: StoredMessage[];
  /** messages.jsonl's last line was cut short by a killed process and left out. */
  torn: boolean;
}

/** An empty SessionUsage: nothing spent yet. */
export function emptySessionUsage(): SessionUsage {
  return { input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, calls: 0 };
}

/**
 * Makes a new session under `sessionsDir` (created if missing): its directory, an empty
 * messages.jsonl, then session.json (written last and atomically, so a directory with a
 * session.json is a whole session). The id is new and unique, also across processes.
 *
 * @example
 * const { id, dir, record } = createStoredSession(".conclave/sessions", { project: null, title: "WebSocket support" });
 */
export function createStoredSession(sessionsDir: string, init: { project: string | null; title: string; clock?: Clock }): { id: string; dir: string; record: SessionRecord } {
  const now = new Date((init.clock ?? systemClock).now());
  const { id, dir } = claimSessionDir(sessionsDir, { now });
  const at = now.toISOString();
  const record: SessionRecord = {
    id,
    project: init.project,
    title: init.title,
    created_at: at,
    updated_at: at,
    turns: 0,
    runs: [],
    usage: { conversation: emptySessionUsage(), runs: emptySessionUsage() },
    compaction: null,
  };
  writeFileAtomic(join(dir, "messages.jsonl"), "");
  saveRecord(dir, record);
  return { id, dir, record };
}

/**
 * Reads a session: its id, or "latest" (the newest `updated_at`). Not found is a ConfigError
 * naming the directory and the newest ids there. A torn last line of messages.jsonl is skipped.
 *
 * @example
 * const { record, messages } = openStoredSession("projects/demo/sessions", "latest");
 */
export function openStoredSession(sessionsDir: string, idOrLatest: string): StoredSession {
  const id = resolveSessionId(sessionsDir, idOrLatest);
  const dir = join(sessionsDir, id);
  const { messages, torn } = readMessages(join(dir, "messages.jsonl"));
  return { id, dir, record: readSessionRecord(dir), messages, torn };
}

/**
 * Appends one message to a session's messages.jsonl, as one line written at once. A last line
 * torn by a killed process is cut off first, so it never runs into the new one.
 *
 * @example
 * appendMessage(session.dir, { role: "user", content: "What is left?", at: new Date().toISOString() });
 */
export function appendMessage(sessionDir: string, message: StoredMessage): void {
  const fd = openSync(join(sessionDir, "messages.jsonl"), "a+");
  try {
    cutTornTail(fd);
    writeSync(fd, `${JSON.stringify(message)}\n`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces a session's session.json atomically (readers see the old record or the new one).
 *
 * @example
 * saveRecord(session.dir, { ...record, turns: record.turns + 1, updated_at: new Date().toISOString() });
 */
export function saveRecord(sessionDir: string, record: SessionRecord): void {
  writeJsonAtomic(join(sessionDir, "session.json"), record);
}

/**
 * Copies a session under a new id (`forked_from` names the original): its messages.jsonl byte
 * for byte, its record with the new id and times. The original is not touched.
 *
 * @example
 * const copy = forkStoredSession(".conclave/sessions", "latest");
 */
export function forkStoredSession(sessionsDir: string, idOrLatest: string, clock: Clock = systemClock): { id: string; dir: string; record: SessionRecord } {
  const original = openStoredSession(sessionsDir, idOrLatest);
  const now = new Date(clock.now());
  const { id, dir } = claimSessionDir(sessionsDir, { now });
  const target = join(dir, "messages.jsonl");
  const temp = tempFileName(target);
  copyFileSync(join(original.dir, "messages.jsonl"), temp);
  renameSync(temp, target);
  const record: SessionRecord = { ...structuredClone(original.record), id, created_at: now.toISOString(), updated_at: now.toISOString(), forked_from: original.id };
  saveRecord(dir, record);
  return { id, dir, record };
}

/**
 * A session's session.json, checked. A missing or broken one is a ConfigError naming the file.
 *
 * @example
 * readSessionRecord(".conclave/sessions/20261202-091500-3fa9c1").turns; // 3
 */
export function readSessionRecord(sessionDir: string): SessionRecord {
  const file = join(sessionDir, "session.json");
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}. It is written atomically, so it was changed by hand or the disk is damaged: restore it, or move the session directory away.`, { cause: error });
  }
  const parsed = SESSION_RECORD_SCHEMA.safeParse(value);
  if (!parsed.success) throw new ConfigError(`${file}: ${describeIssue(parsed.error)}. Restore the file, or move the session directory away.`);
  return parsed.data as SessionRecord;
}

/**
 * The ids of the sessions under `sessionsDir` (directories named like an id, with a session.json),
 * oldest created first. A missing directory has none.
 *
 * @example
 * storedSessionIds(".conclave/sessions"); // ["20261201-080000-aa11bb", "20261202-091500-3fa9c1"]
 */
export function storedSessionIds(sessionsDir: string): string[] {
  if (!existsSync(sessionsDir)) return [];
  return readdirSync(sessionsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isSessionId(e.name) && existsSync(join(sessionsDir, e.name, "session.json")))
    .map((e) => e.name)
    .sort();
}

/**
 * An id, or "latest" (the session with the newest `updated_at`), checked to exist under
 * `sessionsDir`; otherwise a ConfigError that names the directory and the newest ids there.
 *
 * @example
 * resolveSessionId(".conclave/sessions", "latest"); // "20261202-091500-3fa9c1"
 */
export function resolveSessionId(sessionsDir: string, idOrLatest: string): string {
  const ids = storedSessionIds(sessionsDir);
  if (ids.length === 0) {
    throw new ConfigError(`no sessions under ${sessionsDir} yet: start one with \`conclave chat\` (or \`conclave ask "<task>"\`).`);
  }
  if (idOrLatest === "latest") {
    let best = ids[0]!;
    let bestAt = "";
    for (const id of ids) {
      const at = readSessionRecord(join(sessionsDir, id)).updated_at;
      if (at >= bestAt) [best, bestAt] = [id, at];
    }
    return best;
  }
  if (ids.includes(idOrLatest)) return idOrLatest;
  const newest = ids.slice(-3).reverse();
  throw new ConfigError(
    `no session \`${idOrLatest}\` under ${sessionsDir}: the newest are ${newest.map((i) => `\`${i}\``).join(", ")}${ids.length > 3 ? ` (of ${ids.length})` : ""}. Run \`conclave sessions\` to list them, or pass \`latest\`.`,
  );
}

/**
 * A new, empty session directory under `sessionsDir` (created if missing), named `wanted` when that
 * id is free, otherwise a new id of `now`. mkdir without `recursive` fails on an existing
 * directory, so two processes never share one.
 *
 * @example
 * const { id, dir } = claimSessionDir(".conclave/sessions", { wanted: "20261202-091500-3fa9c1" });
 */
export function claimSessionDir(sessionsDir: string, options: { now?: Date; wanted?: string } = {}): { id: string; dir: string } {
  mkdirSync(sessionsDir, { recursive: true });
  keepOutOfGit(sessionsDir);
  for (let attempt = 0; ; attempt++) {
    const id = attempt === 0 && options.wanted ? options.wanted : newSessionId(options.now);
    const dir = join(sessionsDir, id);
    try {
      mkdirSync(dir);
      return { id, dir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 20) throw error;
    }
  }
}

// When the file does not end with a newline, its last line was torn: cut it off, as readers skip it
// (or, in the rare case it is whole and only its newline is missing, end it, as readers keep it).
function cutTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return;
  const text = Buffer.alloc(size);
  readSync(fd, text, 0, size, 0);
  const start = text.lastIndexOf(0x0a) + 1;
  if (parses(text.subarray(start).toString("utf8"))) writeSync(fd, "\n");
  else ftruncateSync(fd, start);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes a session directory and everything in it (an import that failed halfway).
 *
 * @example
 * removeStoredSession(".conclave/sessions/20261202-091500-3fa9c1");
 */
export function removeStoredSession(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
