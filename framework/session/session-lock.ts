import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { displayPath } from "../project/display-path.ts";
import { holderIsGone, lockHolder, lockHolderOf } from "../project/with-file-lock.ts";

/** The file that says which process has a session open. */
export const SESSION_LOCK = "session.lock";

/**
 * Takes a session for this process: `<session dir>/session.lock`, created exclusively with the
 * holder's pid and host, so two processes never write one session at once (each keeps the record
 * in memory and would overwrite the other's). A lock whose process is gone (this host) is taken
 * over. Throws a ConfigError that names the holder and says to close it or fork. `release()`
 * removes the lock if it is still this process's.
 *
 * @example
 * const lock = holdSessionLock(dir, id);
 * try { … } finally { lock.release(); }
 */
export function holdSessionLock(sessionDir: string, id: string): { release(): void } {
  const path = join(sessionDir, SESSION_LOCK);
  const mine = `${JSON.stringify(lockHolder())}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readOrNull(path) === mine) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const text = readOrNull(path);
    if (text === null) continue;
    const holder = lockHolderOf(text);
    if (holder && holderIsGone(holder)) {
      rmSync(path, { force: true });
      continue;
    }
    const who = !holder ? "another process" : holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
    throw new ConfigError(
      `session ${id} is open in ${who}: close it there first, or continue a copy with \`conclave chat --resume ${id} --fork\`. If no conclave process has it open, delete \`${displayPath(path)}\`.`,
    );
  }
  throw new ConfigError(`cannot take \`${displayPath(path)}\`: it keeps changing; try again.`);
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
