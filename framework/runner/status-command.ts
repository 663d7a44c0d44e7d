import { ConfigError } from "../errors.ts";
import { STATUS_HELP } from "./command-help.ts";
import { useColor, type CommandIo } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { formatStatus } from "./format-status.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { readStatusJson } from "./read-status-json.ts";
import { resolveRunDir } from "./resolve-run-dir.ts";

/**
 * `conclave status [run-dir | latest] [--json]`: prints a run's status.json for people, or as
 * it is with `--json` (a run whose process is gone as `abandoned`, readStatusJson()). Returns
 * the exit code; usage problems are ConfigErrors (exit 1).
 *
 * @example
 * process.exitCode = await statusCommand(["latest"], { stdout: process.stdout, env: process.env });
 */
export async function statusCommand(args: string[], io: CommandIo, cwd = process.cwd()): Promise<number> {
  const { values, positionals } = parseCommandArgs("status", args, { json: { type: "boolean" } });
  if (values.help) {
    io.stdout.write(STATUS_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) {
    throw new ConfigError(`\`conclave status\` takes one run, got ${positionals.length}: ${positionals.join(" ")}. Pass one run directory, or none for the latest run.`);
  }
  const runDir = resolveRunDir(positionals[0], cwd);
  const { text, status } = await readStatusJson(runDir);
  io.stdout.write(values.json ? (text.endsWith("\n") ? text : `${text}\n`) : formatStatus(status, { color: useColor(io), now: Date.now() }));
  return EXIT.ok;
}
