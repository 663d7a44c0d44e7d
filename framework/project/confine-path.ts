import { lstatSync, mkdirSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ConfigError } from "../errors.ts";
import { displayPath } from "./display-path.ts";

/**
 * Resolves `path` inside `root` for writing, or throws a ConfigError naming it: absolute paths,
 * `..` that leads out, a symbolic link on the way that points outside, and a symbolic link or
 * directory at the path itself are refused. The check is lexical first, then on the real path
 * of the deepest part that exists (DESIGN §6). `root` is created when missing.
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
  if (isAbsolute(path)) throw refuse(`it is an absolute path; only paths inside ${where} may be written`);
  const target = resolve(base, path);
  const rel = relative(base, target);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw refuse(`it leaves ${where}`);

  mkdirSync(base, { recursive: true });
  const realBase = realpathSync(base);
  let existing = target;
  while (existing !== base && !exists(existing)) existing = dirname(existing);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    throw refuse(`\`${relative(base, existing)}\` is a broken symbolic link`);
  }
  const realRel = relative(realBase, real);
  if (realRel === ".." || realRel.startsWith(`..${sep}`) || isAbsolute(realRel)) {
    throw refuse(`\`${relative(base, existing)}\` is a symbolic link to \`${real}\`, outside ${where}`);
  }
  if (existing === target) {
    const stat = lstatSync(target);
    if (stat.isSymbolicLink()) throw refuse("it is a symbolic link; remove the link or write to another path");
    if (stat.isDirectory()) throw refuse("it is a directory");
  } else if (!statSync(existing).isDirectory()) {
    throw refuse(`\`${relative(base, existing)}\` is a file, not a directory`);
  }
  return join(base, rel);
}

// Whether something (even a broken link) is at `path`.
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
