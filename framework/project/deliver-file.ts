import { dirname } from "node:path";
import { mkdirSync } from "node:fs";
import { writeFileAtomic } from "../atomic-write.ts";
import { confinePath } from "./confine-path.ts";

/**
 * Writes `content` to `<deliverablesDir>/<path>` atomically, creating parent directories, and
 * returns the absolute path. Paths that would land outside `deliverablesDir` (absolute, `..`,
 * or through a symbolic link) are refused with a ConfigError that names them.
 *
 * @example
 * deliverFile("projects/demo/deliverables", "docs/summary.md", "# Summary\n");
 */
export function deliverFile(deliverablesDir: string, path: string, content: string): string {
  const target = confinePath(deliverablesDir, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileAtomic(target, content);
  return target;
}
