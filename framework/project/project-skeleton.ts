import { existsSync, linkSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempFileName } from "../temp-file-name.ts";

/**
 * Creates whatever is missing of a project's skeleton in `dir`: CONTEXT.md from a template
 * naming the project (Goals, Constraints, State), an empty filepaths.json, `deliverables/` and
 * `runs/` (with a .gitignore that keeps it out of version control). Existing files are never replaced.
 *
 * @example
 * createProjectSkeleton("projects/demo", "demo");
 */
export function createProjectSkeleton(dir: string, name: string): void {
  mkdirSync(join(dir, "deliverables"), { recursive: true });
  mkdirSync(join(dir, "runs"), { recursive: true });
  keepOutOfGit(join(dir, "runs"));
  createFileIfMissing(join(dir, "CONTEXT.md"), contextTemplate(name));
  createFileIfMissing(join(dir, "filepaths.json"), `${JSON.stringify({ files: [], directories: [] }, null, 2)}\n`);
}

/**
 * Gives `dir` (made by the framework: a project's runs/ or sessions/) a `.gitignore` of `*`, unless it has one, so
 * that its machine-written files stay out of the repository the project is in.
 *
 * @example
 * keepOutOfGit("projects/demo/runs"); // projects/demo/runs/.gitignore: "*"
 */
export function keepOutOfGit(dir: string): void {
  createFileIfMissing(join(dir, ".gitignore"), "# Written by Conclave: run directories and sessions are not for version control.\n*\n");
}

function contextTemplate(name: string): string {
  return `# ${name}

Every run of this project reads this file first. Keep it short and current.

## Goals

- What this project should achieve.

## Constraints

- What must hold: languages, libraries, style, budget, what must not change.

## State

- What is done and what comes next.
`;
}

// Writes a whole file beside `path` and hard-links it into place: readers never see half of it,
// and a file that appeared meanwhile is kept.
function createFileIfMissing(path: string, text: string): void {
  // Most calls find it there (every workflow start, every new session): no temporary file is made for nothing.
  if (existsSync(path)) return;
  const temp = tempFileName(path);
  writeFileSync(temp, text);
  try {
    linkSync(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    // A file system without hard links: create exclusively instead.
    if (code === "EPERM" || code === "ENOTSUP" || code === "EXDEV") writeExclusive(path, text);
    else throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

function writeExclusive(path: string, text: string): void {
  try {
    writeFileSync(path, text, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}
