import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** One entry of a directory tree; `path` is relative to the tree's root, with `/` separators. */
export interface TreeEntry {
  path: string;
  kind: "file" | "directory" | "symlink" | "other";
}

/**
 * Lists a directory tree depth first, names sorted, without following symbolic links (they are
 * listed as `symlink`, their targets never read). Stops after `limit` entries and says so. A
 * directory below the root that vanishes while the tree is walked counts as empty.
 *
 * @example
 * const { entries, truncated } = await walkTree("/tmp/ws", { limit: 2000 });
 * entries.filter((e) => e.kind === "file").map((e) => e.path); // ["a.md", "src/index.ts"]
 */
export async function walkTree(
  root: string,
  options: { limit?: number } = {},
): Promise<{ entries: TreeEntry[]; truncated: boolean }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const entries: TreeEntry[] = [];
  const visit = async (relative: string): Promise<boolean> => {
    const dirents = await readdir(relative ? join(root, relative) : root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      // Removed (or replaced by a file) since its parent was read: another process at work.
      if (relative && (error.code === "ENOENT" || error.code === "ENOTDIR")) return [];
      throw error;
    });
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const dirent of dirents) {
      if (entries.length >= limit) return false;
      const path = relative ? `${relative}/${dirent.name}` : dirent.name;
      const kind: TreeEntry["kind"] = dirent.isSymbolicLink()
        ? "symlink"
        : dirent.isDirectory()
          ? "directory"
          : dirent.isFile()
            ? "file"
            : "other";
      entries.push({ path, kind });
      if (kind === "directory" && !(await visit(path))) return false;
    }
    return true;
  };
  const complete = await visit("");
  return { entries, truncated: !complete };
}
