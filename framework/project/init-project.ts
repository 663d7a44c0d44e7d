import { readdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { pathError } from "../path-error.ts";
import { displayPath } from "./display-path.ts";
import { openProject } from "./open-project.ts";
import type { Project } from "./project.ts";

const SIMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Creates a new project, `<baseDir>/<name>/`, with the skeleton: CONTEXT.md from the template,
 * an empty filepaths.json, `deliverables/` and `runs/` (what `npx conclave init <name>` does).
 * Refuses a name that is not a simple directory name and a directory that exists and is not empty.
 *
 * @example
 * const project = initProject("demo"); // projects/demo/
 * project.contextPath; // "/…/projects/demo/CONTEXT.md"
 */
export function initProject(name: string, baseDir = "projects"): Project {
  if (typeof name !== "string" || !SIMPLE_NAME.test(name)) {
    throw new ConfigError(
      `project name ${JSON.stringify(name)} is not a simple directory name: expected up to 100 letters, digits, \`.\`, \`_\` or \`-\`, starting with a letter or digit, e.g. \`npx conclave init my-project\`.`,
    );
  }
  const dir = resolve(baseDir, name);
  const shown = displayPath(dir);
  let entries: string[] | "file";
  try {
    entries = existingEntries(dir);
  } catch (error) {
    throw pathError(error, `create project \`${shown}\``, "Pick another name, or with `--dir` a directory you can write.") ?? error;
  }
  if (entries === "file") throw new ConfigError(`cannot create project \`${shown}\`: a file of that name exists. Pick another name.`);
  if (entries.length > 0) {
    const held = entries.slice(0, 3).map((e) => `\`${e}\``).join(", ") + (entries.length > 3 ? ", …" : "");
    throw new ConfigError(
      `cannot create project \`${shown}\`: the directory exists and is not empty (it holds ${held}). Pick another name, or use it as it is with \`--project ${shown}\`.`,
    );
  }
  return openProject(dir, { create: true });
}

// The sorted names inside `dir` (none when it does not exist), or "file" when it is not a directory.
function existingEntries(dir: string): string[] | "file" {
  try {
    return statSync(dir).isDirectory() ? readdirSync(dir).sort() : "file";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
