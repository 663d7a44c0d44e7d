import { linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { holderIsGone, lockHolder, lockHolderOf } from "../project/with-file-lock.ts";
import { tempFileName } from "../temp-file-name.ts";

/**
 * Takes `<runDir>/resume.lock` for this process, or throws a ConfigError naming the process that
 * holds it (`run <id> is being resumed by pid N`): two resumes of one run never both go on. The file
 * is made whole (written beside it, then hard-linked into place) and names its holder; one whose
 * holder is dead (on this host) is taken over. Returns the release, which removes it if still ours.
 *
 * @example
 * const release = takeResumeLock(dir, runId);
 * try { await goOn(); } finally { release(); }
 */
export function takeResumeLock(runDir: string, runId: string): () => void {
  const path = join(runDir, "resume.lock");
  const mine = `${JSON.stringify(lockHolder())}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const temp = join(runDir, tempFileName("resume.lock"));
    writeFileSync(temp, mine);
    try {
      linkSync(temp, path);
      return () => {
        if (read(path) === mine) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temp, { force: true });
    }
    const seen = read(path);
    if (seen === undefined) continue; // released meanwhile
    const holder = lockHolderOf(seen);
    if (holder && !holderIsGone(holder)) {
      throw new ConfigError(`run ${runId} is being resumed by pid ${holder.pid} on ${holder.host}: wait for it to end, or stop it (Ctrl+C, or kill ${holder.pid}), then resume it if it is still not done.`);
    }
    // Left by a resume that died (or names no holder): taken over, if it is still that one.
    if (read(path) === seen) rmSync(path, { force: true });
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
