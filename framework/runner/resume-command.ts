import type { RunResult } from "../runs/run-result.ts";
import { resumeRun } from "../runs/resume-run.ts";
import { ConfigError } from "../errors.ts";
import type { CliIo } from "./cli.ts";
import { RESUME_HELP } from "./command-help.ts";
import { EXIT } from "./exit-codes.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { runOnTerminal } from "./run-on-terminal.ts";
import { resolveRunDir } from "./resolve-run-dir.ts";

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
  const runDir = resolveRunDir(positionals[0], cwd, "resume");
  const terminal = await runOnTerminal(io, { automation: Boolean(values.automation) });
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
