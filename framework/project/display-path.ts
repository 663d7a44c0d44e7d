import { isAbsolute, relative } from "node:path";

/**
 * How errors name a file: relative to the working directory when inside it, else absolute.
 *
 * @example
 * displayPath(resolve("projects/demo/filepaths.json")); // "projects/demo/filepaths.json"
 */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  if (rel === "") return ".";
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
