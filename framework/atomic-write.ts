import { renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { copyFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tempFileName } from "./temp-file-name.ts";

// A device, a pipe or a socket given as the target (`--out /dev/null`, `/dev/stdout`) is written into: renaming a
// file over it would replace it (as root, /dev/null itself) with a regular file.
const notAFile = (found: Stats | undefined) => found !== undefined && !found.isFile() && !found.isDirectory();

/**
 * Writes a file so that readers see the old content or the new, never a torn mix: the data
 * goes to a temporary file beside the target, which is then renamed over it. A target that is a
 * device, a pipe or a socket is written into instead, as it is.
 *
 * @example
 * writeFileAtomic("runs/x/status.json", JSON.stringify(status));
 */
export function writeFileAtomic(path: string, data: string): void {
  if (notAFile(statSync(path, { throwIfNoEntry: false }))) return writeFileSync(path, data);
  const temp = tempFileName(path);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** `writeFileAtomic` for JSON, pretty-printed with a final newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Copies `source` over `destination` the same way: to a temporary file beside it (mode kept),
 * then renamed into place, so readers see the old file or the new one.
 *
 * @example
 * await copyFileAtomic("runs/r1/agents/alpha/workspace/deliverables/plan.md", "deliverables/plan.md");
 */
export async function copyFileAtomic(source: string, destination: string): Promise<void> {
  const temp = tempFileName(destination);
  try {
    await copyFile(source, temp);
    await rename(temp, destination);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * `writeFileAtomic` without blocking the event loop: the temporary file beside `path` is written and
 * renamed over it through fs.promises.
 *
 * @example
 * await writeFileAtomicAsync("runs/x/status.json", JSON.stringify(status));
 */
export async function writeFileAtomicAsync(path: string, data: string): Promise<void> {
  if (notAFile(await stat(path).catch(() => undefined))) return writeFile(path, data);
  const temp = tempFileName(path);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
