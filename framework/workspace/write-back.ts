import { chmod, copyFile, lstat, mkdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { copyFileAtomic } from "../atomic-write.ts";
import { WorkspaceEscapeError } from "../errors.ts";
import { tempFileName } from "../temp-file-name.ts";
import { confinePath } from "./confine-path.ts";
import { mergeLines } from "./merge-lines.ts";
import { isBinary } from "./truncate-text.ts";
import { walkTree } from "./walk-tree.ts";

export interface WriteBackOptions {
  /** The base snapshot: the tree as it was when the agents' copies were made. */
  base: string;
  /** The winner's workspace copy of the same tree. */
  from: string;
  /** The project's tree, which may have changed since the base was taken. */
  to: string;
  /** Where the winner's version of a conflicting file is kept, at the same relative path. */
  conflictsDir: string;
}

/** What a write-back did, relative to `to`, each list sorted. */
export interface WriteBackResult {
  /** Files replaced or created with the winner's version. */
  written: string[];
  /** Files the winner deleted, and deleted here because nobody else had changed them. */
  removed: string[];
  /** Files changed on both sides whose changes touched different lines: written merged. */
  merged: string[];
  /** Files changed on both sides that could not be merged: left as they are here. */
  conflicts: string[];
}

/** A regular file on one side: its bytes and permission bits; null when the file is absent. */
type Side = { data: Buffer; mode: number } | null;

/**
 * A three-way apply (docs/architecture.md §6), never a sync: for each file the winner changed relative to
 * `base`, the file in `to` is replaced by the winner's version only when it still equals the
 * base (or already equals the winner's). A file changed on both sides is merged line by line
 * when the changes do not overlap; otherwise, and always for binary files, it is left untouched
 * and reported as a conflict, with the winner's version copied to `conflictsDir` (a file the
 * winner deleted leaves nothing there). Files the winner did not change are never written or
 * deleted, so what others added or edited meanwhile survives. Each file is replaced atomically
 * (temporary file, then rename) with the winner's mode. A directory the winner added is made; one
 * it removed (or left empty by a deletion) goes only when it is empty here too.
 *
 * Refuses, with a WorkspaceEscapeError and before changing anything, a symbolic link (or special
 * file) anywhere in `from`, and a changed file that would land on or go through a symbolic link
 * in `to`. Callers serialize write-backs to the same tree (a lock): the check of each file and
 * its replacement are not atomic against a writer that does not take it.
 *
 * @example
 * const done = await writeBack({ base: "/runs/r1/base/deliverables", from: "/runs/r1/agents/alpha/workspace/deliverables",
 *   to: "/proj/deliverables", conflictsDir: "/runs/r1/final/alpha/conflicts/deliverables" });
 * // { written: ["plan.md"], removed: [], merged: ["notes.md"], conflicts: ["api.md"] }
 */
export async function writeBack(options: WriteBackOptions): Promise<WriteBackResult> {
  const [base, from, to] = [resolve(options.base), resolve(options.from), resolve(options.to)];
  const source = (await walkTree(from)).entries;
  const odd = source.find((entry) => entry.kind === "symlink" || entry.kind === "other");
  if (odd) {
    throw new WorkspaceEscapeError(
      `writeBack: "${join(from, odd.path)}" is ${odd.kind === "symlink" ? "a symbolic link" : "not a regular file"}; only regular files and directories are written back. Remove it from the workspace and try again.`,
    );
  }
  const winnerFiles = new Set(source.filter((e) => e.kind === "file").map((e) => e.path));
  const winnerDirs = new Set(source.filter((e) => e.kind === "directory").map((e) => e.path));
  const { files: baseFiles, dirs: baseDirs } = await baseTree(base);

  const changed: { path: string; base: Side; winner: Side }[] = [];
  for (const path of [...new Set([...baseFiles, ...winnerFiles])].sort()) {
    const b = baseFiles.has(path) ? await readSide(join(base, path)) : null;
    const w = winnerFiles.has(path) ? await readSide(join(from, path)) : null;
    if (!same(b, w)) changed.push({ path, base: b, winner: w });
  }
  await mkdir(to, { recursive: true });
  const addedDirs = [...winnerDirs].filter((dir) => !baseDirs.has(dir)).sort();
  for (const path of [...changed.map((c) => c.path), ...addedDirs]) await refuseLinks(to, path);

  const result: WriteBackResult = { written: [], removed: [], merged: [], conflicts: [] };
  for (const { path, base: b, winner: w } of changed) {
    const destination = confinePath(to, path);
    const here = await readProjectSide(destination);
    if (here !== "blocked" && same(here, w)) continue; // already as the winner has it
    if (here !== "blocked" && same(here, b)) {
      if (w) {
        if (await placeFile(destination, () => copyFileAtomic(join(from, path), destination))) result.written.push(path);
        else result.conflicts.push(await keepConflict(options.conflictsDir, from, path));
      } else {
        await rm(destination, { force: true });
        result.removed.push(path);
      }
      continue;
    }
    const merged = here !== "blocked" && here && b && w ? await mergeFile(b, here, w) : null;
    if (merged && (await placeFile(destination, () => writeAtomic(destination, merged.data, merged.mode)))) result.merged.push(path);
    else if (w) result.conflicts.push(await keepConflict(options.conflictsDir, from, path));
    else result.conflicts.push(path);
  }
  // Directories: the winner's new (empty) ones are made; those it removed go when empty here too.
  for (const dir of addedDirs) await mkdir(join(to, dir), { recursive: true }).catch(ignoreTaken);
  for (const dir of [...baseDirs].filter((d) => !winnerDirs.has(d)).sort().reverse()) await rmdir(join(to, dir)).catch(ignoreTaken);
  return result;
}

// The regular files and directories of the base; a base that does not exist has none.
async function baseTree(root: string): Promise<{ files: Set<string>; dirs: Set<string> }> {
  try {
    const { entries } = await walkTree(root);
    const of = (kind: string) => new Set(entries.filter((e) => e.kind === kind).map((e) => e.path));
    return { files: of("file"), dirs: of("directory") };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { files: new Set(), dirs: new Set() };
    throw error;
  }
}

// A directory that is not empty, already gone, or has a file in its place is left as it is.
function ignoreTaken(error: NodeJS.ErrnoException): void {
  if (!["ENOTEMPTY", "EEXIST", "ENOENT", "ENOTDIR"].includes(error.code ?? "")) throw error;
}

async function readSide(path: string): Promise<NonNullable<Side>> {
  const [data, info] = await Promise.all([readFile(path), lstat(path)]);
  return { data, mode: info.mode & 0o777 };
}

// The project's file, null when absent, "blocked" when something other than a regular file is there.
async function readProjectSide(path: string): Promise<Side | "blocked"> {
  try {
    const info = await lstat(path);
    if (!info.isFile()) return "blocked";
    return { data: await readFile(path), mode: info.mode & 0o777 };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "ENOTDIR") return "blocked"; // a file where a directory of the path should be
    throw error;
  }
}

function same(a: Side, b: Side): boolean {
  if (!a || !b) return a === b;
  return a.mode === b.mode && a.data.equals(b.data);
}

// Both sides' changes to a text file, merged; null when they overlap, or either side is binary.
async function mergeFile(base: NonNullable<Side>, here: NonNullable<Side>, winner: NonNullable<Side>): Promise<{ data: Buffer; mode: number } | null> {
  if (![base, here, winner].every((side) => isText(side.data))) return null;
  const modeChanged = { here: here.mode !== base.mode, winner: winner.mode !== base.mode };
  if (modeChanged.here && modeChanged.winner && here.mode !== winner.mode) return null;
  const text = await mergeLines(base.data.toString("utf8"), here.data.toString("utf8"), winner.data.toString("utf8"));
  if (text === null) return null;
  return { data: Buffer.from(text, "utf8"), mode: modeChanged.winner ? winner.mode : here.mode };
}

function isText(data: Buffer): boolean {
  return !isBinary(data, data.length) && Buffer.from(data.toString("utf8")).equals(data);
}

// Creates the file's directories and writes it; false when a file stands where a directory must be.
async function placeFile(destination: string, write: () => Promise<void>): Promise<boolean> {
  try {
    await mkdir(dirname(destination), { recursive: true });
    await write();
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR" || code === "EEXIST" || code === "EISDIR") return false;
    throw error;
  }
}

// Keeps the winner's version of a conflicting file under `conflictsDir`; returns its path.
async function keepConflict(conflictsDir: string, from: string, path: string): Promise<string> {
  const kept = join(conflictsDir, path);
  await mkdir(dirname(kept), { recursive: true });
  await copyFile(join(from, path), kept);
  return path;
}

async function writeAtomic(destination: string, data: Buffer, mode: number): Promise<void> {
  const temp = tempFileName(destination);
  try {
    await writeFile(temp, data, { mode });
    await chmod(temp, mode); // the umask may have taken bits away
    await rename(temp, destination);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

// A changed file must not land on or go through a symbolic link (or special file) in `to`.
async function refuseLinks(to: string, path: string): Promise<void> {
  const parts = path.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    let info;
    try {
      info = await lstat(join(to, prefix));
    } catch {
      return; // nothing there yet (or a file in the way: a conflict, found later)
    }
    if (info.isSymbolicLink() || (!info.isFile() && !info.isDirectory())) {
      throw new WorkspaceEscapeError(
        `writeBack: "${path}" would be written on or through the symbolic link "${join(to, prefix)}"; nothing was written. Remove the link from \`${to}\` and try again.`,
      );
    }
    if (info.isFile()) return;
  }
}
