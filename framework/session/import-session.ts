import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { ConfigError } from "../errors.ts";
import { isSessionId } from "./new-session-id.ts";
import { describeIssue, SESSION_EXPORT_SCHEMA, type SessionExport } from "./session-schema.ts";
import { claimSessionDir, removeStoredSession, saveRecord } from "./session-store.ts";
import type { SessionRecord, StoredMessage } from "./session-types.ts";

/** What `importSession` wrote. */
export interface ImportedSession {
  id: string;
  dir: string;
  record: SessionRecord;
  messages: StoredMessage[];
  /** The id the file gave, when it was taken (or not an id) and the session got a new one. */
  renamedFrom?: string;
}

/**
 * Reads a session exported with `--format json` and writes it under `sessionsDir` as a session of
 * its own: with its id unless that is taken (then a new id, and `renamedFrom` says so). A file
 * that cannot be read, is not JSON, or does not have the export's shape is a ConfigError naming
 * the file and the field.
 *
 * @example
 * const { id, renamedFrom } = importSession(".conclave/sessions", "websocket-session.json");
 */
export function importSession(sessionsDir: string, file: string): ImportedSession {
  const data = readExport(file);
  const wanted = data.session.id;
  const { id, dir } = claimSessionDir(sessionsDir, isSessionId(wanted) ? { wanted } : {});
  const record: SessionRecord = { ...data.session, id };
  try {
    writeFileAtomic(join(dir, "messages.jsonl"), data.messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
    saveRecord(dir, record);
  } catch (error) {
    removeStoredSession(dir);
    throw error;
  }
  return { id, dir, record, messages: data.messages, ...(id !== wanted && { renamedFrom: wanted }) };
}

function readExport(file: string): SessionExport {
  if (!existsSync(file)) throw new ConfigError(`cannot import ${file}: no such file. Pass a file written by \`conclave sessions export <id> --format json\`.`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot import ${file}: it is not JSON (${(error as Error).message}). Pass a file written by \`conclave sessions export <id> --format json\`.`, { cause: error });
  }
  const parsed = SESSION_EXPORT_SCHEMA.safeParse(value);
  if (!parsed.success) throw new ConfigError(`cannot import ${file}: ${describeIssue(parsed.error)}. Pass a file written by \`conclave sessions export <id> --format json\`.`);
  return parsed.data as SessionExport;
}
