import { ConfigError } from "../errors.ts";
import { useColor, type CommandIo } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { formatStatus } from "./format-status.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { readStatusJson } from "./read-status-json.ts";
import { resolveRunDir } from "./resolve-run-dir.ts";

/** `conclave status --help`. */
export const STATUS_HELP = `Usage: conclave status [run-dir | status.json | run-id | latest] [--json]

Shows a run's status.json: phase, round, completion, each agent, the winner and the usage.
Works while the run is going. \`latest\` (the default) is the most recently changed run
directory under ./.conclave/runs/ and ./projects/*/runs/. A run that has not finished and
whose process is gone (killed, crashed) shows as abandoned, with why.

Options:
  --json      Print status.json as it is; for an abandoned run, results.status is
              "abandoned" and results.status_reason says why.
  -h, --help  Show this help.

Examples:
  npx conclave status
  npx conclave status projects/demo/runs/20261121-101500-3f9a1c2b7d4e --json

Exit codes: 0 shown, 1 no such run, or a run abandoned before its first status.
`;

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
