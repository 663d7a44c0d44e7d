import { randomBytes } from "node:crypto";

// `<name>.<pid>.<8 hex>.tmp`: what tempFileName() appends, and what isTempFileName() recognises.
const TEMP = /\.\d+\.[0-9a-f]{8}\.tmp$/;

// The 8 hex digits: a count from a random start, so no two names of this process are alike (before 2^32 of them)
// and another host's process with the same pid draws other ones, without a call for random bytes at each file.
const start = randomBytes(4).readUInt32BE(0);
let made = 0;

/**
 * The name of the temporary file an atomic writer puts beside `path` before renaming it into
 * place: `<path>.<pid>.<8 hex digits>.tmp`. Every atomic writer of the framework uses it, so
 * that copies of a directory can leave out, exactly, the half-written files of a writer at work.
 *
 * @example
 * tempFileName("deliverables/plan.md"); // "deliverables/plan.md.4242.9f86d081.tmp"
 */
export function tempFileName(path: string): string {
  const n = (start + made++) >>> 0;
  return `${path}.${process.pid}.${n.toString(16).padStart(8, "0")}.tmp`;
}

/**
 * True when `name` (a file name or path) is one that tempFileName() makes.
 *
 * @example
 * isTempFileName("plan.md.4242.9f86d081.tmp"); // true
 * isTempFileName("notes.tmp"); // false: a user's file, copied like any other
 */
export function isTempFileName(name: string): boolean {
  return TEMP.test(name);
}
