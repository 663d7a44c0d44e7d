import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { ConfigError } from "../errors.ts";
import { breakLock, createWhole, holderIsGone, lockHolder, lockHolderOf } from "../project/with-file-lock.ts";

// A guard (`resume.lock.break`) older than three times this is taken for one left by a breaker that died.
const STALE_MS = 10_000;
// How often a resume tries again while the lock is being released or broken by another (a few ms apart).
const ATTEMPTS = 20;

/**
 * Takes `<runDir>/resume.lock` for this process, or throws a ConfigError naming the process that
 * holds it (`run <id> is being resumed by pid N`): two resumes of one run never both go on. The file
 * is made whole (written beside it, then hard-linked into place) and names its holder; one whose
 * holder is dead (on this host) is taken over, breakers taking turns under `resume.lock.break` as
 * withFileLock's do, so of two resumes taking over the same dead one only one goes on. Returns the
 * release, which removes it if still ours.
 *
 * @example
 * const release = await takeResumeLock(dir, runId);
 * try { await goOn(); } finally { release(); }
 */
export async function takeResumeLock(runDir: string, runId: string): Promise<() => void> {
  const path = join(runDir, "resume.lock");
  const mine = `${JSON.stringify(lockHolder())}\n`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await delay(2 + Math.random() * 5);
    if (await createWhole(path, mine)) {
      return () => {
        if (read(path) === mine) rmSync(path, { force: true });
      };
    }
    const seen = read(path);
    if (seen === undefined) continue; // released meanwhile
    const holder = lockHolderOf(seen);
    if (holder && !holderIsGone(holder)) {
      throw new ConfigError(`run ${runId} is being resumed by pid ${holder.pid} on ${holder.host}: wait for it to end, or stop it (Ctrl+C, or kill ${holder.pid}), then resume it if it is still not done.`);
    }
    // Left by a resume that died (or names no holder): removed if it is still that one, one breaker at a time.
    await breakLock(path, seen, STALE_MS);
  }
  throw new ConfigError(`run ${runId}: \`${path}\` keeps being taken by other resumes: wait for them, then try again.`);
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
