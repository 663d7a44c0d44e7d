// Minimal store used by the engine until the full one lands (same names as the design brief).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { writeJsonAtomic } from "../atomic-write.ts";
import { ConfigError } from "../errors.ts";
import type { SessionRecord, StoredMessage } from "./session-types.ts";

const ZERO = { input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, calls: 0 };

export function sessionsDirFor(o: { projectDir?: string; sessionsDir?: string; cwd?: string }): string {
  if (o.projectDir) return join(o.projectDir, "sessions");
  return resolve(o.cwd ?? process.cwd(), o.sessionsDir ?? ".conclave/sessions");
}

function newId(): string {
  const d = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${d}-${randomBytes(3).toString("hex")}`;
}

export function createStoredSession(dir: string, o: { project: string | null; title: string }) {
  const id = newId();
  const sdir = join(dir, id);
  mkdirSync(sdir, { recursive: true });
  const now = new Date().toISOString();
  const record: SessionRecord = { id, project: o.project, title: o.title, created_at: now, updated_at: now, turns: 0, runs: [], usage: { conversation: { ...ZERO }, runs: { ...ZERO } }, compaction: null };
  writeJsonAtomic(join(sdir, "session.json"), record);
  writeFileSync(join(sdir, "messages.jsonl"), "");
  return { id, dir: sdir, record };
}

export function openStoredSession(dir: string, idOrLatest: string) {
  let id = idOrLatest;
  if (id === "latest") {
    const ids = existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, "session.json"))) : [];
    if (!ids.length) throw new ConfigError(`no sessions under ${dir}`);
    id = ids.map((n) => ({ n, u: (JSON.parse(readFileSync(join(dir, n, "session.json"), "utf8")) as SessionRecord).updated_at })).sort((a, b) => a.u.localeCompare(b.u)).at(-1)!.n;
  }
  const sdir = join(dir, id);
  if (!existsSync(join(sdir, "session.json"))) throw new ConfigError(`no session ${id} under ${dir}`);
  const record = JSON.parse(readFileSync(join(sdir, "session.json"), "utf8")) as SessionRecord;
  const lines = readFileSync(join(sdir, "messages.jsonl"), "utf8").split("\n").filter(Boolean);
  const messages: StoredMessage[] = [];
  for (const [i, l] of lines.entries()) {
    try {
      messages.push(JSON.parse(l) as StoredMessage);
    } catch (e) {
      if (i !== lines.length - 1) throw e;
    }
  }
  return { id, dir: sdir, record, messages };
}

export function forkStoredSession(dir: string, id: string) {
  const from = openStoredSession(dir, id);
  const made = createStoredSession(dir, { project: from.record.project, title: from.record.title });
  const record: SessionRecord = { ...from.record, id: made.id, forked_from: from.id, created_at: made.record.created_at };
  writeJsonAtomic(join(made.dir, "session.json"), record);
  writeFileSync(join(made.dir, "messages.jsonl"), from.messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
  return { id: made.id, dir: made.dir, record, messages: from.messages };
}

export function appendMessage(sessionDir: string, message: StoredMessage): void {
  appendFileSync(join(sessionDir, "messages.jsonl"), `${JSON.stringify(message)}\n`);
}

export function saveRecord(sessionDir: string, record: SessionRecord): void {
  writeJsonAtomic(join(sessionDir, "session.json"), record);
}
