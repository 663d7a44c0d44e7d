import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { WorkspaceEscapeError } from "../errors.ts";
import { confinePath } from "./confine-path.ts";
import { walkTree, type TreeEntry } from "./walk-tree.ts";

/**
 * Makes the tree `to` equal the tree `from`: new and changed files are copied (atomically,
 * mode kept), files and directories absent from `from` are removed. Returns what changed,
 * relative to `to`; removed directories end in `/`.
 *
 * Refuses, with a WorkspaceEscapeError and before changing anything, a symbolic link (or special
 * file) anywhere in `from`, and a file of `from` that would land on or go through a symbolic
 * link in `to`. Other symbolic links in `to` are left alone (workspaces never copy them).
 *
 * @example
 * const { written, removed } = await writeBack("/ws/a/deliverables", "/proj/deliverables");
 * // written: ["plan.md", "src/new.ts"], removed: ["old.md"]
 */
export async function writeBack(fromDir: string, toDir: string): Promise<{ written: string[]; removed: string[] }> {
  const from = resolve(fromDir);
  const to = resolve(toDir);
  const source = (await walkTree(from)).entries;
  const odd = source.find((entry) => entry.kind === "symlink" || entry.kind === "other");
  if (odd) {
    throw new WorkspaceEscapeError(
      `writeBack: "${join(from, odd.path)}" is ${odd.kind === "symlink" ? "a symbolic link" : "not a regular file"}; only regular files and directories are written back. Remove it from the workspace and try again.`,
    );
  }
  await mkdir(to, { recursive: true });
  const target = (await walkTree(to)).entries;
  const links = target.filter((entry) => entry.kind === "symlink" || entry.kind === "other").map((entry) => entry.path);
  for (const entry of source) {
    const link = links.find((path) => entry.path === path || entry.path.startsWith(`${path}/`));
    if (link !== undefined) {
      throw new WorkspaceEscapeError(
        `writeBack: "${entry.path}" would be written on or through the symbolic link "${join(to, link)}"; nothing was written. Remove the link from \`${to}\` and try again.`,
      );
    }
  }

  const kinds = (entries: TreeEntry[], kind: TreeEntry["kind"]) =>
    new Set(entries.filter((entry) => entry.kind === kind).map((entry) => entry.path));
  const [fromFiles, fromDirs, toFiles, toDirs] = [kinds(source, "file"), kinds(source, "directory"), kinds(target, "file"), kinds(target, "directory")];
  const removed: string[] = [];
  for (const path of [...toFiles].filter((path) => !fromFiles.has(path)).sort()) {
    await rm(join(to, path));
    removed.push(path);
  }
  // Deepest first, so a directory is empty by the time it is reached (links left alone keep theirs).
  for (const path of [...toDirs].filter((path) => !fromDirs.has(path)).sort().reverse()) {
    try {
      await rmdir(join(to, path));
      removed.push(`${path}/`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOTEMPTY") throw error;
    }
  }
  for (const path of fromDirs) await mkdir(join(to, path), { recursive: true });

  const written: string[] = [];
  for (const path of [...fromFiles].sort()) {
    const destination = confinePath(to, path);
    if (toFiles.has(path) && (await sameFile(join(from, path), destination))) continue;
    await copyFileAtomic(join(from, path), destination);
    written.push(path);
  }
  return { written, removed };
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [infoA, infoB] = await Promise.all([stat(a), stat(b)]);
  if ((infoA.mode & 0o777) !== (infoB.mode & 0o777) || infoA.size !== infoB.size) return false;
  const [dataA, dataB] = await Promise.all([readFile(a), readFile(b)]);
  return dataA.equals(dataB);
}

// Copies beside the destination, then renames over it: readers see the old file or the new one.
async function copyFileAtomic(source: string, destination: string): Promise<void> {
  const temp = `${destination}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await copyFile(source, temp);
    await rename(temp, destination);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
