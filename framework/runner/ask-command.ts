import { join, resolve } from "node:path";
import { loadConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { run } from "../runs/run.ts";
import { defaultConfigPath } from "../runs/run-options.ts";
import type { RunResult } from "../runs/run-result.ts";
import { openAskSession } from "../session/ask-session.ts";
import { sessionsDirFor } from "../session/sessions-dir-for.ts";
import { approveRun } from "./approve-run.ts";
import type { CliIo } from "./cli.ts";
import { ASK_HELP } from "./command-help.ts";
import { EXIT } from "./exit-codes.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { runOnTerminal } from "./run-on-terminal.ts";
import { takeContinueFlag } from "./take-continue-flag.ts";

/**
 * `conclave ask "<task>" [options]`: one run on the terminal, kept as a turn of a session. Returns
 * the exit code (the run's status, exitCodeFor()); usage problems are ConfigErrors (exit 1).
 *
 * @example
 * process.exitCode = await askCommand(["Name three risks", "--dry-run"], { stdout: process.stdout, stderr: process.stderr, env: process.env, process });
 */
export async function askCommand(argv: string[], io: CliIo): Promise<number> {
  const { args, session: continueFrom } = takeContinueFlag(argv);
  const { values, positionals } = parseCommandArgs("ask", args, {
    config: { type: "string" },
    agents: { type: "string" },
    mode: { type: "string" },
    "no-refine": { type: "boolean" },
    timeout: { type: "string" },
    "dry-run": { type: "boolean" },
    automation: { type: "boolean" },
    "runs-dir": { type: "string" },
    yes: { type: "boolean" },
  });
  if (values.help) {
    io.stdout.write(ASK_HELP);
    return EXIT.ok;
  }
  const task = positionals.join(" ").trim();
  if (!task) throw new ConfigError('no task given. Usage: conclave ask "<task>" [options]');
  const mode = values.mode as string | undefined;
  if (mode !== undefined && mode !== "single" && mode !== "multi") {
    throw new ConfigError(`\`--mode\` must be single or multi, got "${mode}"`);
  }
  let timeout: number | undefined;
  if (values.timeout !== undefined) {
    timeout = Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new ConfigError(`\`--timeout\` must be a positive number of seconds, got "${String(values.timeout)}"`);
  }
  const agents = typeof values.agents === "string" ? values.agents.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  // The session this ask is a turn of: a new one, or with --continue an earlier one, whose conversation the run is told.
  // It lives beside the runs: .conclave/sessions by default, <runs-dir>/../sessions with --runs-dir.
  const sessionsDir = typeof values["runs-dir"] === "string" ? join(resolve(values["runs-dir"]), "..", "sessions") : sessionsDirFor();
  const session = openAskSession(sessionsDir, { task, ...(continueFrom !== undefined && { continueFrom }) });

  const automation = Boolean(values.automation);
  const approvedBy = values.yes ? "--yes" : automation ? "automation mode" : undefined;
  const terminal = await runOnTerminal(io, { automation });
  const { note } = terminal;
  let result: RunResult;
  try {
    const approval = await approveRun({
      task,
      ...(typeof values.config === "string" && { config: values.config }),
      ...(agents && { agents }),
      ...(mode && { agent_mode: mode as "single" | "multi" }),
      ...(values["no-refine"] && { refinement: false }),
      ...(timeout !== undefined && { timeout }),
      ...(values["dry-run"] && { dryRun: true }),
      ...(typeof values["runs-dir"] === "string" && { runsDir: values["runs-dir"] }),
      ...(session.context !== undefined && { context: session.context }),
      env: io.env,
      signal: terminal.signal,
      onStart: ({ runId, logDir }) => {
        const id = session.started({ runId, logDir });
        if (continueFrom !== undefined) note(`Session ${id} (turn ${session.turn})`);
        terminal.onStart({ logDir });
      },
      onStatus: terminal.onStatus,
      onEvent: terminal.onEvent,
      onNotice: note,
      description: { command: "ask" },
    }, { aboveUsd: approvalThreshold(values.config, io.env), title: `ask: ${task.split("\n")[0]!.slice(0, 60)}`, ...(approvedBy && { approvedBy }), stdin: process.stdin, stderr: io.stderr, signal: terminal.signal });
    if (approval.action !== "run") {
      io.stderr.write(approval.action === "cancel" ? "Cancelled: nothing was run.\n" : "");
      return EXIT.interrupted;
    }
    result = await run(approval.options);
    session.finished(result);
  } finally {
    session.release();
    terminal.release();
  }
  return terminal.finish(result);
}

// The config's approval.above_usd; undefined when it cannot be read (run() then reports why).
function approvalThreshold(config: unknown, env: NodeJS.ProcessEnv): number | undefined {
  try {
    return loadConfig(typeof config === "string" ? config : defaultConfigPath(env), env).approval.above_usd;
  } catch {
    return undefined;
  }
}
