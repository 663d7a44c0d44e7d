import type { RunResult } from "../runs/run-result.ts";
import { resumeRun } from "../runs/resume-run.ts";
import { ConfigError } from "../errors.ts";
import type { CliIo } from "./cli.ts";
import { EXIT } from "./exit-codes.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { runOnTerminal } from "./run-on-terminal.ts";
import { resolveRunDir } from "./resolve-run-dir.ts";

/** `conclave resume --help`. */
export const RESUME_HELP = `Usage: conclave resume <run-dir | run-id | latest> [options]

Resumes a run that stopped before it finished: one abandoned (killed, crashed, its machine lost
power) or interrupted (Ctrl+C, SIGTERM at a reboot, SIGHUP): the same run, in its own directory. The model calls its journal (events.jsonl) recorded are replayed, not
made again; only the turns that had not come back are called, and the run goes on as if it had
never stopped. Deadlines count the run's active time, not the time it was dead. The final
answer is printed on stdout. A run that ended completed, failed, timeout, cancelled or budget_exceeded,
or one still going, is not resumed.
\`latest\` is the most recently changed run directory under ./.conclave/runs/ and ./projects/*/runs/.

Options:
  --config <file>     The config to use, when the run's own (config_path in run_description.json) moved.
  --automation        Plain output for programs: LOG_DIR, Phase, Winner, Final answer, Elapsed.
  -h, --help          Show this help.

Examples:
  npx conclave resume latest
  npx conclave resume .conclave/runs/20261121-101500-3f9a1c2b7d4e --automation

Exit codes: 0 success, 1 no such run, or one that finished or cannot be resumed, 2 execution error,
3 timeout, 4 interrupted.
`;

/**
 * \`conclave resume <run-dir | latest>\`: resumeRun() with the progress view (or automation lines)
 * of \`conclave ask\`, Ctrl+C finalizing it as interrupted. Returns the exit code.
 *
 * @example
 * process.exitCode = await resumeCommand(["latest"], io);
 */
export async function resumeCommand(args: string[], io: CliIo, cwd = process.cwd()): Promise<number> {
  const { values, positionals } = parseCommandArgs("resume", args, { config: { type: "string" }, automation: { type: "boolean" } });
  if (values.help) {
    io.stdout.write(RESUME_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(`\`conclave resume\` takes one run, got ${positionals.length}${positionals.length ? `: ${positionals.join(" ")}` : ""}. Usage: conclave resume <run-dir | run-id | latest>; \`conclave resume --help\` says more.`);
  }
  const runDir = resolveRunDir(positionals[0], cwd);
  const terminal = runOnTerminal(io, { automation: Boolean(values.automation) });
  let result: RunResult;
  try {
    result = await resumeRun(runDir, {
      onStart: terminal.onStart,
      ...(typeof values.config === "string" && { config: values.config }),
      env: io.env,
      signal: terminal.signal,
      onStatus: terminal.onStatus,
      onEvent: (e) => {
        if (e.type === "run.resumed") {
          const n = typeof e.turns === "number" ? e.turns : 0;
          terminal.note(`Resuming ${runDir}: ${n} recorded call${n === 1 ? "" : "s"} to replay, then the run goes on.`);
        }
        terminal.onEvent(e);
      },
      onNotice: terminal.note,
    });
  } finally {
    terminal.release();
  }
  return terminal.finish(result);
}
