import { lstatSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, resolve, sep } from "node:path";
import { WorkspaceEscapeError } from "../errors.ts";

const HINT = 'Paths are relative to the workspace root, e.g. "notes/plan.md".';

/**
 * Resolves a path an agent gave, relative to the workspace `root` (absolute), and returns it
 * as an absolute path inside `root`. Refuses, with a `WorkspaceEscapeError` naming the path:
 * absolute paths, `..` that leads out, a sibling that merely shares the prefix (`/ws-evil` for
 * `/ws`), a path whose last component is a symbolic link (even a dangling one), and a path whose
 * deepest existing ancestor really lies outside `realpath(root)` (a symlinked directory).
 * The check is made when called; a process that swaps a directory for a link afterwards is
 * not guarded against (agents only act through the tools, which call this first).
 *
 * @example
 * confinePath("/tmp/ws", "src/index.ts");  // "/tmp/ws/src/index.ts"
 * confinePath("/tmp/ws", "../ws-evil/x");  // throws WorkspaceEscapeError
 */
export function confinePath(root: string, userPath: string): string {
  if (!isAbsolute(root)) throw new TypeError(`confinePath: \`root\` must be an absolute path, received "${root}"`);
  const base = resolve(root);
  if (userPath.includes("\0")) refuse(userPath, "it contains a NUL character");
  if (isAbsolute(userPath)) refuse(userPath, "it is an absolute path");
  const target = resolve(base, userPath);
  if (!isInside(base, target)) refuse(userPath, "it leads outside the workspace");
  if (target === base) return target;

  const own = lstatOrNull(target);
  if (own?.isSymbolicLink()) refuse(userPath, "it is a symbolic link, which is never followed");

  // The deepest ancestor that exists decides where the path really goes.
  let existing = own ? target : dirname(target);
  while (existing !== base && lstatOrNull(existing) === null) existing = dirname(existing);
  const realBase = realpathSync(base);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch (cause) {
    return refuse(userPath, "it goes through a symbolic link that leads nowhere", cause);
  }
  if (!isInside(realBase, real)) refuse(userPath, "it goes through a symbolic link that leads outside the workspace");
  return target;
}

/**
 * Whether `path` is `root` or lies under it (a sibling such as `/ws-evil` for `/ws` does not).
 *
 * @example
 * isInside("/ws", "/ws/a.md");   // true
 * isInside("/ws", "/ws-evil/x"); // false
 */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function refuse(userPath: string, why: string, cause?: unknown): never {
  throw new WorkspaceEscapeError(`Refused path "${userPath}": ${why}. ${HINT}`, { cause, reason: why });
}
