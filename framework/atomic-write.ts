import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes a file so that readers see the old content or the new, never a torn mix: the data
 * goes to a temporary file beside the target, which is then renamed over it.
 *
 * @example
 * writeFileAtomic("runs/x/status.json", JSON.stringify(status));
 */
export function writeFileAtomic(path: string, data: string): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** `writeFileAtomic` for JSON, pretty-printed with a final newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
