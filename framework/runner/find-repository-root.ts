import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The root of the repository a workflow script belongs to: the nearest directory at or above `from` that holds a
 * package.json or a .git, else `fallback` (the current directory). A workflow's default project
 * (`projects/<name>`) and default config (`configs/default.yaml`) are found there, wherever it is started from.
 *
 * @example
 * findRepositoryRoot("/home/me/app/workflows/pe.ts") // "/home/me/app" (it holds package.json)
 */
export function findRepositoryRoot(from: string, fallback = process.cwd()): string {
  let dir = resolve(from);
  if (!existsSync(dir) || !isDirectory(dir)) dir = dirname(dir);
  for (;;) {
    if (existsSync(join(dir, "package.json")) || existsSync(join(dir, ".git"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(fallback);
    dir = parent;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
