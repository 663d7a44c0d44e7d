import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

/** A fresh directory under os.tmpdir() (its real path), removed after the test. */
export function tempDir(prefix = "conclave-workspace-"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** Writes files under `root`: a path ending in `/` is an empty directory; `{ content, executable: true }` makes an executable file. */
export function writeTree(root: string, files: Record<string, string | { content: string; executable: true }>): void {
  for (const [path, spec] of Object.entries(files)) {
    if (path.endsWith("/")) {
      mkdirSync(join(root, path), { recursive: true });
      continue;
    }
    mkdirSync(dirname(join(root, path)), { recursive: true });
    const content = typeof spec === "string" ? spec : spec.content;
    writeFileSync(join(root, path), content);
    if (typeof spec !== "string") chmodSync(join(root, path), 0o755);
  }
}

/**
 * Everything under `root`, for comparing trees: a directory is `"<dir>"`, a symbolic link
 * `"<symlink>"`, a file its content, prefixed `"[x] "` when executable.
 */
export function readTree(root: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const visit = (relative: string) => {
    for (const name of readdirSync(join(root, relative)).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const info = lstatSync(join(root, path));
      if (info.isSymbolicLink()) tree[path] = "<symlink>";
      else if (info.isDirectory()) {
        tree[path] = "<dir>";
        visit(path);
      } else tree[path] = (info.mode & 0o100 ? "[x] " : "") + readFileSync(join(root, path), "utf8");
    }
  };
  visit("");
  return tree;
}
