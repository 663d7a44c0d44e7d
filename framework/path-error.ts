import { ConfigError } from "./errors.ts";

// What each error of a path the user gave means, said as they would put it.
const WHY: Record<string, string> = {
  ENOTDIR: "a file stands where a directory of that path should be",
  EEXIST: "a file of that name is in the way",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
};

/**
 * The ConfigError to throw when `error` (from what `action` names: "create project `x`") is a problem with the path the user gave:
 * a file in the way, no permission, a read-only file system; undefined for any other error (rethrow it).
 *
 * @example
 * throw pathError(error, "make a run directory in `package.json`", "Pass a directory you can write with `--runs-dir`.") ?? error;
 * // ConfigError: cannot make a run directory in `package.json`: a file stands where a directory of that path should be (ENOTDIR). Pass …
 */
export function pathError(error: unknown, action: string, fix: string): ConfigError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why = code === undefined ? undefined : WHY[code];
  return why === undefined ? undefined : new ConfigError(`cannot ${action}: ${why} (${code}). ${fix}`, { cause: error });
}
