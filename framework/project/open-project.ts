import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
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
 * Opens the project in `dir`. Without `create`, the directory and its CONTEXT.md must exist
 * (a ConfigError says how to make them); with it, missing parts are created from the template
 * and existing files are left alone. The project's name is the directory's name.
 *
 * @example
 * const project = openProject("projects/demo", { create: true });
 * project.deliver("plan.md", plan.answer);
 * project.runs().at(-1)?.status; // "completed"
 */
export function openProject(dir: string, options: OpenProjectOptions = {}): Project {
  const root = resolve(dir);
  const name = basename(root);
  if (options.create) createProjectSkeleton(root, name);
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
  if (!existsSync(root)) {
    throw new ConfigError(
      `project directory \`${shown}\` does not exist. Run \`npx conclave init ${name}\` to create it, or pass \`--project <dir>\` to use an existing project.`,
    );
  }
  if (!statSync(root).isDirectory()) {
    throw new ConfigError(`project directory \`${shown}\` is a file, not a directory. Pass \`--project <dir>\` with a project directory.`);
  }
  if (!existsSync(join(root, "CONTEXT.md"))) {
    throw new ConfigError(
      `project directory \`${shown}\` has no CONTEXT.md. Write \`${displayPath(join(root, "CONTEXT.md"))}\` (goals, constraints, state), or run \`npx conclave init <name>\` to start a new project from the template.`,
    );
  }
}
