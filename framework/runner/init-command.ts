import { ConfigError } from "../errors.ts";
import { initProject } from "../project/init-project.ts";
import { INIT_HELP } from "./command-help.ts";
import type { CommandIo } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

/**
 * `conclave init <name> [--dir <dir>]`: creates a project and lists what it made. Returns the exit
 * code; a refused name or directory is a ConfigError (exit 1, nothing written).
 *
 * @example
 * process.exitCode = initCommand(["my-api"], { stdout: process.stdout, env: process.env });
 */
export function initCommand(args: string[], io: CommandIo): number {
  const { positionals, values } = parseCommandArgs("init", args, { dir: { type: "string" } });
  if (values.help) {
    io.stdout.write(INIT_HELP);
    return EXIT.ok;
  }
  const name = positionals[0];
  if (!name) throw new ConfigError("no project name given. Usage: conclave init <name> [--dir <dir>]; `conclave init --help` says more.");
  const project = initProject(name, typeof values.dir === "string" ? values.dir : "projects");
  io.stdout.write(`Created ${project.dir}\n  CONTEXT.md       goals, constraints and state: edit it first\n  filepaths.json   files the agents should see, with descriptions\n  deliverables/    what the workflows produce\n  runs/            one directory per run (git-ignored)\n`);
  return EXIT.ok;
}
