import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Project } from "./project.ts";

/**
 * The files filepaths.json lists that do not exist (as written there, in its order): the
 * project context marks each "missing", and a run warns about each.
 *
 * @example
 * missingListedFiles(openProject("projects/demo")); // ["src/api.ts"]
 */
export function missingListedFiles(project: Pick<Project, "dir" | "filepaths">): string[] {
  return project.filepaths().files.map((f) => f.path).filter((path) => !existsSync(resolve(project.dir, path)));
}
