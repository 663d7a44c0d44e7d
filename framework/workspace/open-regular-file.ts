import { constants, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { ConclaveError } from "../errors.ts";

/**
 * Opens a file for reading only when it is a regular file. The open never blocks (O_NONBLOCK,
 * so a named pipe with no writer cannot hang it or hold one of Node's fs threads) and never
 * follows a final symbolic link (O_NOFOLLOW); the opened file is then checked with fstat, so
 * what is read is what was checked. A directory throws an EISDIR error; a pipe, socket or
 * device throws a ConclaveError whose message names the tool, the path and what it is.
 *
 * @example
 * const handle = await openRegularFile("/ws/notes.md", { tool: "read_file", shown: "notes.md" });
 * try { await handle.readFile("utf8") } finally { await handle.close() }
 */
export async function openRegularFile(absolute: string, who: { tool: string; shown: string }): Promise<FileHandle> {
  const handle = await open(absolute, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  let stats: Stats;
  try {
    stats = await handle.stat();
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (stats.isFile()) return handle;
  await handle.close();
  if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${absolute}'`), { code: "EISDIR" });
  throw notRegularFile(who.tool, who.shown, stats);
}

/**
 * The error for a path that is not a regular file (a named pipe, a socket, a device): the
 * agent's tool refuses it rather than reading or writing it.
 *
 * @example
 * notRegularFile("read_file", "pipe", statSync("/ws/pipe")).message;
 * // '"pipe" is a named pipe (FIFO), not a regular file; read_file works on regular files only.'
 */
export function notRegularFile(tool: string, shown: string, stats: Stats): ConclaveError {
  return new ConclaveError(
    "not_regular_file",
    `"${shown}" is ${kindOf(stats)}, not a regular file; ${tool} works on regular files only.`,
  );
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSymbolicLink()) return "a symbolic link";
  return "a special file";
}
