import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { displayPath } from "../project/display-path.ts";
import { openProject } from "../project/open-project.ts";
import type { Project } from "../project/project.ts";

/** Which project a workflow runs on: one the user named, or the workflow's default. */
export interface WorkflowProjectChoice {
  /** The directory the user named, with `--project` or `CONCLAVE_PROJECT`; it must exist. */
  explicit?: string;
  /** Where `explicit` came from, so an error can say so. */
  from?: "--project" | "CONCLAVE_PROJECT";
  /** The workflow's default project, `projects/<workflow name>`, created on first use. */
  defaultDir: string;
}

/**
 * Opens the project a workflow runs on. A project the user named must exist (a typo is an
 * error that suggests the nearest project and writes nothing); only the default project is
 * created, and `say` is told so in one line.
 *
 * @example
 * const project = openWorkflowProject({ defaultDir: resolve("projects/research") }, console.error);
 * // Created project projects/research (CONTEXT.md, filepaths.json, deliverables/): edit CONTEXT.md to tell the agents about your work.
 */
export function openWorkflowProject(choice: WorkflowProjectChoice, say: (line: string) => void): Project {
  if (choice.explicit !== undefined) {
    try {
      return openProject(choice.explicit);
    } catch (error) {
      if (!(error instanceof ConfigError) || choice.from !== "CONCLAVE_PROJECT") throw error;
      throw new ConfigError(`${error.message} (the path came from CONCLAVE_PROJECT)`, { cause: error });
    }
  }
  const created = !existsSync(join(choice.defaultDir, "CONTEXT.md"));
  const project = openProject(choice.defaultDir, { create: true });
  if (created) say(`Created project ${displayPath(project.dir)} (CONTEXT.md, filepaths.json, deliverables/): edit CONTEXT.md to tell the agents about your work.`);
  return project;
}
