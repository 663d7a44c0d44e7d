import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A file of a run directory as text, or undefined when it is missing. A file that is a symbolic
 * link is not followed (O_NOFOLLOW), and neither is anything but a regular file: a request
 * cannot make the server read outside the run through a link planted in it.
 *
 * @example
 * readRunFile("/p/runs/20261121-101500-3f9a1c2b7d4e", "status.json"); // '{"meta": …}'
 */
export function readRunFile(dir: string, name: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * A JSON file of a run directory, parsed, or undefined when it is missing or does not parse
 * (every such file is replaced atomically, so that means absent or foreign).
 *
 * @example
 * readRunJson<{ task: string }>(dir, "run_description.json")?.task;
 */
export function readRunJson<T>(dir: string, name: string): T | undefined {
  const text = readRunFile(dir, name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
