import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { displayPath } from "../project/display-path.ts";
import { defaultConfigPath } from "../runs/run-options.ts";
import { VALIDATE_HELP } from "./command-help.ts";
import type { CommandIo } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

/**
 * `conclave validate [file]`: checks a config file and prints `<file>: valid.` with its agents
 * and settings. Returns the exit code; a config that is not valid is a ConfigError (exit 1).
 *
 * @example
 * process.exitCode = validateCommand(["configs/offline.yaml"], { stdout: process.stdout, env: process.env });
 */
export function validateCommand(args: string[], io: CommandIo): number {
  const { positionals, values } = parseCommandArgs("validate", args, {});
  if (values.help) {
    io.stdout.write(VALIDATE_HELP);
    return EXIT.ok;
  }
  const file = positionals[0] ?? defaultConfigPath(io.env);
  // validate takes the file as its argument, not --config (what loadConfig's own message would say).
  if (!existsSync(file)) throw new ConfigError(`cannot read config \`${displayPath(resolve(file))}\`: no such file. Pass an existing file: \`conclave validate <file>\`.`);
  const config = loadConfig(file, io.env);
  const c = config.coordination;
  io.stdout.write(
    `${file}: valid. ${config.agents.length} agent${config.agents.length === 1 ? "" : "s"} (${config.agents.map((a) => `${a.id}: ${a.backend.type}`).join(", ")}); ` +
      `max_rounds ${c.max_rounds}, voting ${c.voting}, refinement ${c.refinement ? "on" : "off"}.\n`,
  );
  return EXIT.ok;
}
