import * as fs from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { writeFileAtomicAsync } from "../atomic-write.ts";
import { tempFileName } from "../temp-file-name.ts";

const HOST = hostname();

// The callback API, not fs/promises: per file it costs the event loop half the time (no FileHandle, no
// promise per step inside writeFile), which is most of a 100-run batch's main-thread file work.
const writeFile = promisify(fs.writeFile);
const rename = promisify(fs.rename);
const mkdirAsync = promisify(fs.mkdir);
const rmAsync = promisify(fs.rm);
const mkdir = (path: string) => mkdirAsync(path, { recursive: true });
const rm = (path: string) => rmAsync(path, { force: true });

/**
 * A run's files written off the event loop, one at a time and in the order they were put, each
 * atomically: the content goes to a temporary file in the staging directory, which is then renamed
 * into place. A file put again before its write began is written once, with the latest content, at
 * the place in the order of its last put. A process killed mid-write leaves its temporary file in
 * the staging directory, never beside the target (sweepStaging() removes it later).
 */
export interface StagedWrites {
  /** Queues `text` for `path` (an absolute path inside a run directory; its folder is made if missing). */
  put(path: string, text: string): void;
  /** Resolves once everything put is in place (or failed), with the errors of the writes that failed. */
  settle(): Promise<Error[]>;
  /** Takes nothing more: what was put before is still written. */
  seal(): void;
}

/**
 * The staged writer of one run, staging in `stagingDir` (a folder on the same file system as the run
 * directory, made on first use); `existingDirs` are folders known to exist (the run directory).
 *
 * @example
 * const writes = createStagedWrites(".conclave/runs/.staging");
 * writes.put(".conclave/runs/<id>/status.json", text);
 * const errors = await writes.settle(); // [] once status.json is replaced
 */
export function createStagedWrites(stagingDir: string, existingDirs: string[] = []): StagedWrites {
  const queue = new Map<string, string>(); // path → latest content, in the order of the last put
  const madeDirs = new Set<string>(existingDirs);
  const errors: Error[] = [];
  let writing = false;
  let sealed = false;

  let idle: (() => void)[] = [];

  const writeOne = async (path: string, text: string) => {
    await madeStaging(stagingDir);
    // The staging folder removed while the run goes (by hand): made again.
    const stage = (temp: string) =>
      writeFile(temp, text).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
        await mkdir(stagingDir);
        await writeFile(temp, text);
      });
    const folder = dirname(path);
    if (!madeDirs.has(folder)) {
      await mkdir(folder);
      madeDirs.add(folder);
    }
    // `<name>.<host>.<pid>.<8 hex>.tmp`: sweepStaging() removes only this host's dead writers' files.
    const temp = tempFileName(join(stagingDir, `${basename(path)}.${HOST}`));
    try {
      await stage(temp);
      await rename(temp, path);
    } catch (error) {
      await rm(temp);
      // Not on the run directory's file system (a runs directory reached through a mount): staged beside it instead.
      if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
      await writeFileAtomicAsync(path, text);
    }
  };

  const pump = async () => {
    if (writing) return;
    writing = true;
    try {
      for (let next = queue.entries().next(); !next.done; next = queue.entries().next()) {
        const [path, text] = next.value;
        queue.delete(path);
        await writeOne(path, text).catch((error: unknown) => {
          errors.push(error instanceof Error ? error : new Error(String(error)));
        });
      }
    } finally {
      writing = false;
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) resolve();
    }
  };

  return {
    put(path, text) {
      if (sealed) return;
      queue.delete(path);
      queue.set(path, text);
      void pump();
    },
    async settle() {
      if (writing || queue.size > 0) await new Promise<void>((resolve) => idle.push(resolve));
      return [...errors];
    },
    seal() {
      sealed = true;
    },
  };
}

// The staging folders this process has made: one mkdir per folder, not per run.
const stagingMade = new Map<string, Promise<unknown>>();
function madeStaging(dir: string): Promise<unknown> {
  let made = stagingMade.get(dir);
  if (!made) {
    made = mkdir(dir).catch((error: unknown) => {
      stagingMade.delete(dir);
      throw error;
    });
    stagingMade.set(dir, made);
  }
  return made;
}
