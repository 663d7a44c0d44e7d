import { lstatSync, mkdirSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { ConfigError, WorkspaceEscapeError } from "../errors.ts";
import { confinePath as confineToRoot } from "../workspace/confine-path.ts";
import { displayPath } from "./display-path.ts";

/**
 * Resolves `path` inside `root` for writing, or throws a ConfigError naming it. The confinement
 * itself is the workspace's (docs/architecture.md §6: lexical, then the real path of the deepest part that
 * exists, no symbolic link at the end); on top of it, the path must not be the root, a directory,
 * or below a file. `root` is created when missing.
 *
 * @example
 * confinePath("projects/demo/deliverables", "docs/api.md"); // "/…/projects/demo/deliverables/docs/api.md"
 * confinePath("projects/demo/deliverables", "../x");        // throws ConfigError
 */
export function confinePath(root: string, path: string): string {
  const base = resolve(root);
  const where = `\`${displayPath(base)}\``;
  const refuse = (why: string) =>
    new ConfigError(`cannot write \`${path}\`: ${why}. Give a path relative to ${where}, e.g. \`summary.md\` or \`docs/api.md\`.`);
  if (typeof path !== "string" || path === "" || path.includes("\0")) throw refuse(`expected a file path inside ${where}, got ${JSON.stringify(path)}`);
  mkdirSync(base, { recursive: true });
  let target: string;
  try {
    target = confineToRoot(base, path);
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) throw refuse(error.reason.replace("outside the workspace", `outside ${where}`));
    throw error;
  }
  if (target === base) throw refuse(`it is ${where} itself`);
  const own = lstatOrNull(target);
  if (own?.isDirectory()) throw refuse("it is a directory");
  let parent = dirname(target);
  while (parent !== base && !lstatOrNull(parent)) parent = dirname(parent);
  if (parent !== base && !statSync(parent).isDirectory()) throw refuse(`\`${relative(base, parent)}\` is a file, not a directory`);
  return target;
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
