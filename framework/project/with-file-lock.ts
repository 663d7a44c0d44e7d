import { closeSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { ConclaveError } from "../errors.ts";
import { displayPath } from "./display-path.ts";

/** How long `withFileLock` waits, and when a lock left by a crashed process is taken over. */
export interface FileLockOptions {
  /** Give up after this many milliseconds of waiting (default 15 000). */
  timeoutMs?: number;
  /** A lock file older than this is left over from a crash and removed (default 10 000). */
  staleMs?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` while holding `lockPath`, a lock file created with O_EXCL, so processes that share
 * the file take turns. A waiter retries every few milliseconds (jittered) until `timeoutMs`,
 * then throws a ConclaveError (`lock_timeout`) naming the file. A lock file older than
 * `staleMs` was left by a crashed holder and is removed; holders must finish well within it.
 *
 * @example
 * withFileLock("runs/index.json.lock", () => writeJsonAtomic("runs/index.json", next));
 */
export function withFileLock<T>(lockPath: string, fn: () => T, options: FileLockOptions = {}): T {
  const { timeoutMs = 15_000, staleMs = 10_000 } = options;
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (ageMs(lockPath) > staleMs) {
      rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() - start > timeoutMs) {
      throw new ConclaveError(
        "lock_timeout",
        `waited ${Math.round(timeoutMs / 1000)} s for \`${displayPath(lockPath)}\`, which another process holds. If no conclave process is running, delete the file and try again.`,
      );
    }
    Atomics.wait(sleeper, 0, 0, Math.min(50, 2 + attempt) + Math.random() * 5);
  }
  try {
    return fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

// Milliseconds since the file was last written; 0 when it is already gone.
function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
