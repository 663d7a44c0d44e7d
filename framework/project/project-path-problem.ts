import { isAbsolute, normalize } from "node:path";

/**
 * Why `path` cannot name something inside a project, or undefined when it can: it must be
 * relative, and `..` must not lead out. The check is lexical; reading through a symbolic link
 * the user made is allowed, writing is not (see `confinePath`).
 *
 * @example
 * projectPathProblem("src/app.ts"); // undefined
 * projectPathProblem("../secrets"); // 'expected a path inside the project directory, got "../secrets", …'
 */
export function projectPathProblem(path: string): string | undefined {
  const shown = JSON.stringify(path);
  if (path === "" || path.includes("\0")) return `expected a path relative to the project directory, got ${shown}`;
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) {
    return `expected a path relative to the project directory, got the absolute path ${shown}; write it relative to the project directory, e.g. "src/app.ts"`;
  }
  const normal = normalize(path);
  if (normal === ".." || normal.startsWith("../") || normal.startsWith("..\\")) {
    return `expected a path inside the project directory, got ${shown}, which leaves it through \`..\`; list only files inside the project, or copy them in`;
  }
  return undefined;
}
