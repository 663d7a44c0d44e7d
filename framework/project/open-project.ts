import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { nearestName } from "../nearest-name.ts";
import { pathError } from "../path-error.ts";
import { deliverFile } from "./deliver-file.ts";
import { displayPath } from "./display-path.ts";
import type { Project } from "./project.ts";
import { projectContext } from "./project-context.ts";
import { createProjectSkeleton } from "./project-skeleton.ts";
import { readFilepaths } from "./read-filepaths.ts";
import { readRunIndex, recordRun } from "./run-index.ts";
import { createStepMemo } from "./step-memo.ts";

/** Options of `openProject`. */
export interface OpenProjectOptions {
  /** Create whatever is missing of the skeleton (CONTEXT.md, filepaths.json, deliverables/, runs/). */
  create?: boolean;
}

/**
 * Opens the project in `dir`. Without `create`, the directory and its CONTEXT.md must exist: a
 * ConfigError names the nearest existing project beside it (a likely typo) and the `conclave
 * init` command that makes a new one, and nothing is written. With `create`, missing parts are
 * created from the template and existing files are left alone. The project's name is the
 * directory's name.
 *
 * @example
 * const project = openProject("projects/demo", { create: true });
 * project.deliver("plan.md", plan.answer);
 * project.runs().at(-1)?.status; // "completed"
 */
export function openProject(dir: string, options: OpenProjectOptions = {}): Project {
  const root = resolve(dir);
  const name = basename(root);
  if (options.create) createSkeleton(root, name);
  else checkProjectDir(root, name);

  const contextPath = join(root, "CONTEXT.md");
  const filepathsPath = join(root, "filepaths.json");
  const deliverablesDir = join(root, "deliverables");
  const runsDir = join(root, "runs");
  const filepaths = () => readFilepaths(filepathsPath);

  return {
    name,
    dir: root,
    contextPath,
    filepathsPath,
    deliverablesDir,
    runsDir,
    context: (contextOptions) => projectContext({ dir: root, contextPath, filepaths: filepaths() }, contextOptions),
    filepaths,
    watchedFiles() {
      // A filepaths.json that does not validate is still watched, so fixing it is seen.
      let listed: string[] = [];
      try {
        listed = filepaths().files.map((f) => resolve(root, f.path));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
      }
      return [...new Set([contextPath, filepathsPath, ...listed])];
    },
    deliver: (path, content) => deliverFile(deliverablesDir, path, content),
    recordRun: (entry) => recordRun(runsDir, entry),
    runs: () => readRunIndex(runsDir),
    memo: createStepMemo(join(runsDir, "steps")),
  };
}

function checkProjectDir(root: string, name: string): void {
  const shown = displayPath(root);
  if (!existsSync(root)) throw new ConfigError(`project directory \`${shown}\` does not exist.${missingProjectAdvice(root, name)}`);
  if (!statSync(root).isDirectory()) throw aFile(shown);
  if (!existsSync(join(root, "CONTEXT.md"))) {
    throw new ConfigError(
      `project directory \`${shown}\` has no CONTEXT.md. Write \`${displayPath(join(root, "CONTEXT.md"))}\` (goals, constraints, state), or run \`npx conclave init <name>\` to start a new project from the template.`,
    );
  }
}

// After "does not exist": the nearest project beside it, or those there are, and how to create one.
function missingProjectAdvice(root: string, name: string): string {
  const parent = dirname(root);
  if (existsSync(parent) && !statSync(parent).isDirectory()) return ` \`${displayPath(parent)}\` is a file, not a directory of projects.`;
  const siblings = projectsIn(parent);
  const near = nearestName(name, siblings);
  const seen = near
    ? ` Did you mean \`${displayPath(join(parent, near))}\`?`
    : siblings.length
      ? ` The projects in \`${displayPath(parent)}\` are ${siblings.slice(0, 5).map((s) => `\`${s}\``).join(", ")}${siblings.length > 5 ? ", …" : ""}.`
      : "";
  const base = parent === resolve("projects") ? "" : ` --dir ${displayPath(parent)}`;
  const init = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) ? `npx conclave init ${name}${base}` : `npx conclave init <name>${base}`;
  return `${seen} To create a new project, run \`${init}\`.`;
}

// The directories in `dir` that hold a CONTEXT.md, sorted; none when `dir` cannot be read.
function projectsIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && existsSync(join(dir, e.name, "CONTEXT.md")))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function aFile(shown: string): ConfigError {
  return new ConfigError(
    `project directory \`${shown}\` is a file, not a directory. A project is a directory with CONTEXT.md: pass \`--project <dir>\` with one, or run \`npx conclave init <name>\` to create one.`,
  );
}

// The skeleton, with a file in the way said plainly rather than as ENOTDIR or EEXIST.
function createSkeleton(root: string, name: string): void {
  if (existsSync(root) && !statSync(root).isDirectory()) throw aFile(displayPath(root));
  try {
    createProjectSkeleton(root, name);
  } catch (cause) {
    throw pathError(cause, `create project \`${displayPath(root)}\``, "Move what is in the way or pick a place you can write, or pass `--project <dir>` with an existing project.") ?? cause;
  }
}
