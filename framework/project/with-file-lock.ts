import { randomBytes } from "node:crypto";
import { readlinkSync } from "node:fs";
import { link, open, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { ConclaveError } from "../errors.ts";
import { isProcessAlive } from "../process-alive.ts";
import { tempFileName } from "../temp-file-name.ts";
import { displayPath } from "./display-path.ts";

/** How long `withFileLock` waits, when a lock left by a dead process is taken over, and what stops the wait. */
export interface FileLockOptions {
  /** Give up after this many milliseconds of waiting (default 15 000). */
  timeoutMs?: number;
  /** A lock file not refreshed for this long is left over and removed (default 10 000). */
  staleMs?: number;
  /** Stops the wait (not a held lock) with a ConclaveError `lock_aborted`, e.g. on Ctrl+C. */
  signal?: AbortSignal;
}

/** What a lock file says about its holder. */
export interface Holder {
  pid: number;
  host: string;
  token: string;
  /** The holder's pid namespace (Linux), so a pid seen from inside a sandbox is not judged outside it. */
  pidns?: string;
}

// This process's pid namespace, e.g. "pid:[4026531836]"; undefined where there is no /proc.
const PID_NAMESPACE = (() => {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
})();

/**
 * Runs `fn` while holding `lockPath`, so processes that share the file take turns. The lock file
 * is created whole (written beside it, then hard-linked into place) and says who holds it:
 * `{"pid":…,"host":…,"token":…,"pidns":…}`. A waiter polls every few milliseconds (jittered) and never
 * blocks the event loop, so timers and Ctrl+C keep working while it waits.
 *
 * A lock is broken at once when its holder's pid is dead on this host (in this pid namespace); a
 * lock from another host or namespace (or one that names no holder) is broken once it is
 * `staleMs` old. The holder touches the file
 * every `staleMs / 3`, so a long `fn` is never taken for a crash. After `timeoutMs` the waiter
 * throws a ConclaveError `lock_timeout`; when `signal` fires it throws `lock_aborted`. Both name
 * the file and the holder. The lock is removed afterwards, unless someone else holds it by then.
 *
 * @example
 * await withFileLock("runs/index.json.lock", () => writeJsonAtomic("runs/index.json", next), { signal });
 */
export async function withFileLock<T>(lockPath: string, fn: () => T | Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const { timeoutMs = 15_000, staleMs = 10_000, signal } = options;
  const me = lockHolder();
  const mine = `${JSON.stringify(me)}\n`;
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw aborted(lockPath, await readLock(lockPath), signal);
    if (await createWhole(lockPath, mine)) break;
    const seen = await readLock(lockPath);
    if (seen === undefined) continue; // released meanwhile
    if (isStale(seen, staleMs)) {
      await breakLock(lockPath, seen.text, staleMs);
      continue;
    }
    if (Date.now() - start > timeoutMs) {
      throw new ConclaveError(
        "lock_timeout",
        `waited ${Math.round(timeoutMs / 1000)} s for \`${displayPath(lockPath)}\`, which ${holderOf(seen)} holds. If no conclave process is running, delete the file and try again.`,
      );
    }
    try {
      await delay(Math.min(50, 2 + attempt) + Math.random() * 5, undefined, signal ? { signal } : {});
    } catch {
      throw aborted(lockPath, seen, signal!);
    }
  }
  const touch = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => {});
  }, Math.max(1, Math.floor(staleMs / 3)));
  touch.unref();
  try {
    return await fn();
  } finally {
    clearInterval(touch);
    // Only our own lock: one broken while we held it now belongs to someone else.
    if ((await readLock(lockPath))?.text === mine) await rm(lockPath, { force: true });
  }
}

interface SeenLock {
  text: string;
  holder: Holder | undefined;
  ageMs: number;
}

/**
 * Creates `path` holding `text`, or returns false when it exists: never an empty lock file for a moment.
 *
 * @example
 * if (!(await createWhole("runs/r1/resume.lock", mine))) console.log("someone holds it");
 */
export async function createWhole(path: string, text: string): Promise<boolean> {
  const temp = tempFileName(path);
  await writeFile(temp, text);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV") throw error;
    // A file system without hard links: create exclusively instead.
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(text);
      await handle.close();
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw inner;
    }
  } finally {
    await rm(temp, { force: true });
  }
}

// The lock file's text, holder and age; undefined when there is no lock file.
async function readLock(path: string): Promise<SeenLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    return { text, holder: parseHolder(text), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (Number.isInteger(value.pid) && typeof value.host === "string" && typeof value.token === "string") return value as Holder;
  } catch {
    // An older lock file (just a pid) or another program's: only its age can tell.
  }
  return undefined;
}

function isStale(seen: SeenLock, staleMs: number): boolean {
  if (seen.holder && holderIsGone(seen.holder)) return true;
  return seen.ageMs > staleMs;
}

/** This process as a lock file names it: pid, host, a token of its own, and its pid namespace. */
export function lockHolder(): Holder {
  return { pid: process.pid, host: hostname(), token: randomBytes(8).toString("hex"), ...(PID_NAMESPACE && { pidns: PID_NAMESPACE }) };
}

/** The holder a lock file's text names, if it names one. */
export function lockHolderOf(text: string): Holder | undefined {
  return parseHolder(text);
}

/** True only when the holder is known dead: a process of this host and pid namespace that is gone. */
export function holderIsGone(holder: Holder): boolean {
  const here = holder.host === hostname() && (holder.pidns === undefined || holder.pidns === PID_NAMESPACE);
  return Boolean(here && !isProcessAlive(holder.pid));
}

/**
 * Removes the stale lock whose text was `seen`, only if it is still that lock. Breakers take turns under
 * `<lock>.break`, so between re-reading the lock and removing it only its own holder could change it, and a
 * holder judged gone (dead, or silent past staleMs) does not. Renaming first and putting back a fresh lock
 * found in its place is not enough: a third process can take the free path in between, and two would hold it.
 * Returns without removing anything while another breaker is at it.
 *
 * @example
 * await breakLock("runs/r1/resume.lock", seenText, 10_000); // then try to create it again
 */
export async function breakLock(path: string, seen: string, staleMs: number): Promise<void> {
  const guard = `${path}.break`;
  const me = `${JSON.stringify(lockHolder())}\n`;
  if (!(await createWhole(guard, me))) {
    // Another breaker is at it; a guard left by one that died (or hung past staleMs) is removed for the next try.
    // Only a guard whose holder is dead, or three times staleMs old, so a working breaker is never taken for one.
    const other = await readLock(guard);
    if (other && ((other.holder && holderIsGone(other.holder)) || other.ageMs > 3 * staleMs)) await rm(guard, { force: true });
    return;
  }
  try {
    // Still the lock seen, and the guard still ours: the window left is a breaker stalled past 3 × staleMs.
    if ((await readLock(path))?.text === seen && (await readLock(guard))?.text === me) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

function holderOf(seen: SeenLock | undefined): string {
  if (!seen?.holder) return "another process";
  return seen.holder.host === hostname() ? `process ${seen.holder.pid}` : `process ${seen.holder.pid} on ${seen.holder.host}`;
}

function aborted(lockPath: string, seen: SeenLock | undefined, signal: AbortSignal): ConclaveError {
  const reason = typeof signal.reason === "string" ? signal.reason : signal.reason instanceof Error ? signal.reason.message : "aborted";
  return new ConclaveError(
    "lock_aborted",
    `stopped waiting for \`${displayPath(lockPath)}\`${seen ? `, which ${holderOf(seen)} holds` : ""} (${reason}): nothing was done under the lock.`,
  );
}
