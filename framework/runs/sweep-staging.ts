import { readdir, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { isProcessAlive } from "../process-alive.ts";

// `<name>.<pid>.<8 hex>.tmp` (temp-file-name.ts): the pid of the process that was writing it.
const WRITER = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const swept = new Set<string>();

/**
 * Removes, in the background, the temporary files a killed process of this host left in a runs
 * directory's staging folder (its writer's pid is gone; another host's are left alone); once per folder per process (a folder not there yet is
 * looked at again next time). Never throws: a file
 * already removed, or a folder not there, is nothing to do.
 *
 * @example
 * sweepStaging(".conclave/runs/.staging");
 */
export function sweepStaging(stagingDir: string): Promise<void> {
  if (swept.has(stagingDir)) return Promise.resolve();
  const host = hostname();
  return readdir(stagingDir)
    .then(async (names) => {
      swept.add(stagingDir);
      for (const name of names) {
        // Only this host's writers (a staged name carries its host): a pid says nothing of another host's processes.
        const pid = Number(WRITER.exec(name)?.[1]);
        if (pid && pid !== process.pid && name.includes(`.${host}.${pid}.`) && !isProcessAlive(pid)) await rm(join(stagingDir, name), { force: true });
      }
    })
    .catch(() => {});
}
