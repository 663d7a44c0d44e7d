import { z } from "zod";
import { projectPathProblem } from "./project-path-problem.ts";
import { readJsonFile } from "./read-json-file.ts";

const projectPath = z.string().superRefine((path, ctx) => {
  const problem = projectPathProblem(path);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const entry = z.strictObject({ path: projectPath, description: z.string().default("") });

/** filepaths.json: the files and directories every run of the project should know about. */
export const filepathsSchema = z.strictObject({
  files: z.array(entry).default([]),
  directories: z.array(entry).default([]),
});

/** A validated filepaths.json; paths are relative to the project directory and stay inside it. */
export type Filepaths = z.output<typeof filepathsSchema>;

/** One listed file or directory. */
export type FilepathEntry = Filepaths["files"][number];

/**
 * Reads and validates a project's filepaths.json; a missing file lists nothing. Errors name the
 * file, line and field (`projects/demo/filepaths.json:4 files[1].path: expected string, got 3`).
 *
 * @example
 * readFilepaths("projects/demo/filepaths.json").files.map((f) => f.path); // ["src/server.ts"]
 */
export function readFilepaths(path: string): Filepaths {
  return readJsonFile(path, filepathsSchema) ?? { files: [], directories: [] };
}
