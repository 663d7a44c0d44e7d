import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { isBinary } from "./truncate-text.ts";
import { splitLines, unifiedHunks } from "./unified-hunks.ts";
import { walkTree } from "./walk-tree.ts";

/** A file on one side of the diff. */
interface Side {
  data: Buffer;
  mode: "100644" | "100755";
}

/**
 * A unified diff, in git's format, of every regular file added, removed or changed between
 * the trees `original` and `changed` (symbolic links and special files are ignored).
 *
 * Path convention: paths are relative to each tree's root, behind git's `a/` and `b/`, so the
 * patch applies with `git apply changes.patch` or `patch -p1 < changes.patch` run inside (a copy
 * of) `original`. With `prefix: "deliverables"` the paths become `a/deliverables/…`, and the
 * patch applies from the directory that holds `deliverables/`.
 *
 * Files are compared byte for byte; each changed one gets git's `index <old>..<new>` line (the
 * abbreviated blob ids); text is diffed by line with 3 lines of context and
 * `\ No newline at end of file` where due; added and removed files use `/dev/null`, with
 * `new file mode` / `deleted file mode` headers (so empty files are created and removed too);
 * a changed executable bit gives `old mode` / `new mode`. A file with a NUL byte, or that is
 * not UTF-8, is binary: one `Binary files a/x and b/x differ` line, which `git apply` cannot
 * apply. A tree that does not exist counts as empty. Empty string when the trees hold the same
 * files.
 *
 * @example
 * const patch = await diffDirectories("/proj/deliverables", "/ws/a/deliverables");
 * // diff --git a/plan.md b/plan.md
 * // --- a/plan.md
 * // +++ b/plan.md
 * // @@ -1,3 +1,3 @@ …
 */
export async function diffDirectories(original: string, changed: string, options: { prefix?: string } = {}): Promise<string> {
  const prefix = options.prefix ? `${options.prefix.replace(/^\/+|\/+$/g, "")}/` : "";
  const [before, after] = await Promise.all([regularFiles(original), regularFiles(changed)]);
  const paths = [...new Set([...before, ...after])].sort();
  let patch = "";
  for (const path of paths) {
    const a = before.has(path) ? await readSide(join(original, path)) : null;
    const b = after.has(path) ? await readSide(join(changed, path)) : null;
    patch += fileDiff(prefix + path, a, b);
  }
  return patch;
}

function fileDiff(path: string, a: Side | null, b: Side | null): string {
  if (a && b && a.mode === b.mode && a.data.equals(b.data)) return "";
  const nameA = quote(`a/${path}`);
  const nameB = quote(`b/${path}`);
  let header = `diff --git ${nameA} ${nameB}\n`;
  if (!a && b) header += `new file mode ${b.mode}\n`;
  else if (a && !b) header += `deleted file mode ${a.mode}\n`;
  else if (a && b && a.mode !== b.mode) header += `old mode ${a.mode}\nnew mode ${b.mode}\n`;
  const oldData = a?.data ?? Buffer.alloc(0);
  const newData = b?.data ?? Buffer.alloc(0);
  if (a && b && oldData.equals(newData)) return header;
  // The blob ids, as git writes them: patch(1) needs this line to delete an empty file.
  header += `index ${a ? blobId(oldData) : ZERO_ID}..${b ? blobId(newData) : ZERO_ID}${a && b && a.mode === b.mode ? ` ${a.mode}` : ""}\n`;
  if (oldData.equals(newData)) return header;
  const from = a ? nameA : "/dev/null";
  const to = b ? nameB : "/dev/null";
  if (!isText(oldData) || !isText(newData)) return `${header}Binary files ${from} and ${to} differ\n`;
  const hunks = unifiedHunks(splitLines(oldData.toString("utf8")), splitLines(newData.toString("utf8")));
  return `${header}--- ${from}${tab(from)}\n+++ ${to}${tab(to)}\n${hunks}`;
}

const ZERO_ID = "0000000";

// git's abbreviated object id of a file's content.
function blobId(data: Buffer): string {
  return createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex").slice(0, 7);
}

// The regular files of a tree; a tree that does not exist has none.
async function regularFiles(root: string): Promise<Set<string>> {
  const exists = await stat(root).then(
    () => true,
    (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? false : Promise.reject(error)),
  );
  if (!exists) return new Set();
  const { entries } = await walkTree(root);
  return new Set(entries.filter((entry) => entry.kind === "file").map((entry) => entry.path));
}

async function readSide(path: string): Promise<Side> {
  const [data, info] = await Promise.all([readFile(path), stat(path)]);
  return { data, mode: info.mode & 0o100 ? "100755" : "100644" };
}

function isText(data: Buffer): boolean {
  return !isBinary(data, data.length) && Buffer.from(data.toString("utf8")).equals(data);
}

// git ends a ---/+++ name that holds a space with a tab, so that patch(1) reads it whole.
function tab(name: string): string {
  return name.includes(" ") && !name.startsWith('"') ? "\t" : "";
}

const ESCAPES: Record<string, string> = { "\u0007": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\" };

// A name as git writes it: in C-style quotes, bytes ≥ 0x80 in octal, when it holds anything unusual.
function quote(name: string): string {
  if (!/[\u0000-\u001f"\\\u007f-\uffff]/.test(name)) return name;
  let out = "";
  for (const byte of Buffer.from(name, "utf8")) {
    const char = String.fromCharCode(byte);
    out += ESCAPES[char] ?? (byte < 0x20 || byte >= 0x7f ? `\\${byte.toString(8).padStart(3, "0")}` : char);
  }
  return `"${out}"`;
}
