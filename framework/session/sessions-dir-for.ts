import { join, resolve } from "node:path";

/** Where a session lives: a project's directory, or an explicit directory for sessions without one. */
export interface SessionsDirOptions {
  /** A project's directory: its sessions go in `<project>/sessions`. */
  projectDir?: string;
  /** Where sessions without a project go (default `<cwd>/.conclave/sessions`). */
  sessionsDir?: string;
  cwd?: string;
}

/**
 * The directory that holds the session directories (docs/architecture.md §9, a contract): `<project>/sessions` for a
 * project, otherwise `sessionsDir`, otherwise `.conclave/sessions` under the working directory.
 * Always absolute.
 *
 * @example
 * sessionsDirFor({ projectDir: "projects/demo" }); // "/abs/projects/demo/sessions"
 * sessionsDirFor({});                              // "/abs/.conclave/sessions"
 */
export function sessionsDirFor(options: SessionsDirOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  if (options.projectDir !== undefined) return resolve(cwd, options.projectDir, "sessions");
  return resolve(cwd, options.sessionsDir ?? join(".conclave", "sessions"));
}
