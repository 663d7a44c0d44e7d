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

/** `n` lines "line 1\n" … "line n\n", with the lines numbered in `change` (1-based) replaced. */
export const lines = (n: number, change: Record<number, string> = {}) =>
  Array.from({ length: n }, (_, i) => `${change[i + 1] ?? `line ${i + 1}`}\n`).join("");

/**
 * An original tree and a changed copy of it, for diffs and write-backs: modified, added (in a new
 * subdirectory), removed, newline at the end gained and lost, empty files, a mode change, unusual names.
 */
export const SAMPLE_ORIGINAL: Record<string, string> = {
  "keep.md": "same\n",
  "modify.md": lines(12),
  "remove.md": "bye\n",
  "no-eol.txt": "first\nlast without newline",
  "gains-eol.txt": "x\ny",
  "loses-eol.txt": "x\ny\n",
  "empty-to-text.txt": "",
  "text-to-empty.txt": "gone soon\n",
  "empty-removed.txt": "",
  "old-dir/nested/gone.txt": "old\n",
  "name with space.md": "a\n",
  "café.md": "naïve\n",
  "tool.sh": "#!/bin/sh\n",
};

export const SAMPLE_CHANGED: Record<string, string | { content: string; executable: true }> = {
  "keep.md": "same\n",
  "modify.md": lines(12, { 2: "line two", 11: "line eleven" }),
  "no-eol.txt": "first\nlast changed, still without newline",
  "gains-eol.txt": "x\ny\n",
  "loses-eol.txt": "x\ny",
  "empty-to-text.txt": "now text\n",
  "text-to-empty.txt": "",
  "new-dir/sub/added.md": "hello\nworld\n",
  "added-empty.txt": "",
  "name with space.md": "b\n",
  "café.md": "naïf\n",
  "tool.sh": { content: "#!/bin/sh\n", executable: true },
  "run.sh": { content: "#!/bin/sh\necho hi\n", executable: true },
};
