import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { initProject } from "../project/init-project.ts";
import { run } from "../runs/run.ts";
import { defaultConfigPath } from "../runs/run-options.ts";
import type { RunResult } from "../runs/run-result.ts";
import { openAskSession } from "../session/ask-session.ts";
import { sessionsDirFor } from "../session/sessions-dir-for.ts";
import { analyzeCommand } from "./analyze-command.ts";
import { approveRun } from "./approve-run.ts";
import { chatCommand } from "./chat-command.ts";
import { ASK_HELP, commandHelp, HELP_HELP, INIT_HELP, RUN_HELP, VALIDATE_HELP } from "./command-help.ts";
import { EXIT } from "./exit-codes.ts";
import { loadDotEnv } from "./load-dot-env.ts";
import { mcpCommand } from "./mcp-command.ts";
import { doctorCommand } from "./doctor-command.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { runOnTerminal } from "./run-on-terminal.ts";
import { runScript, ScriptError } from "./run-script.ts";
import { takeContinueFlag } from "./take-continue-flag.ts";
import { resumeCommand } from "./resume-command.ts";
import { runsCommand } from "./runs-command.ts";
import { serveCommand } from "./serve-command.ts";
import { sessionsCommand } from "./sessions-command.ts";
import { statusCommand } from "./status-command.ts";
import { tolerateClosedOutput } from "./tolerate-closed-output.ts";

const HELP = `Usage: conclave <command> [options]

Commands:
  ask "<task>"        One run: the agents answer, vote, and the winner presents.
  chat                Talk to the orchestrator: it answers, or launches runs (with your approval); sessions last.
  validate [file]     Check a config file (default: the one ask would use); print what is wrong, with the line.
  run <workflow.ts>   Run a workflow script with the workflow options.
  init <name>         Create projects/<name>/ with CONTEXT.md, filepaths.json, deliverables/ and runs/.
  status [run-dir]    Show a run's status (default: the latest run), also while it runs.
  resume <run-dir>    Resume a run that was killed, crashed or interrupted: recorded model calls are replayed, not made again.
  runs [project]      List runs, newest last (a project's runs/index.json, or .conclave/runs).
  analyze [run-dir]   Why a run was slow or went in circles, and the config change that fixes it (or a project's costs).
  doctor              Check every agent of a config before spending: backend, key, server, model, price.
  sessions            List, export, import and search the sessions of conclave chat and ask.
  serve               Serve the runs over HTTP: a JSON API and each run's live event stream.
  mcp                 Serve Conclave over MCP on stdio, for coding agents (Claude Code, Cursor, VS Code).
  help [command]      Show this help, or a command's.

Run \`conclave <command> --help\` (or \`conclave help <command>\`) for a command's options and examples.

Examples:
  npx conclave ask "Name three risks of moving our API to HTTP/3" --dry-run
  npx conclave run workflows/feature.ts --project projects/demo --dry-run
  npx conclave help ask

Exit codes: 0 success, 1 configuration or usage error, 2 execution error, 3 timeout, 4 interrupted
(Ctrl+C, SIGTERM, SIGHUP, or the launcher gone). Started through npx or npm, Ctrl+C in a terminal
reports npm's own 130 instead; ./node_modules/.bin/conclave reports 4.
`;

export interface CliIo {
  stdout: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  stderr: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Where Ctrl+C comes from; the CLI listens for SIGINT, SIGTERM and SIGHUP on it, and watches its `ppid`. */
  process: Pick<NodeJS.Process, "on" | "off" | "exit" | "ppid" | "pid">;
  /** Where `conclave chat` reads the person's lines (default process.stdin). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, process };

/** The entry of bin/conclave.js: loads ./.env, runs the command, returns the exit code. */
export async function cli(argv: string[]): Promise<number> {
  tolerateClosedOutput();
  try {
    loadDotEnv();
  } catch (error) {
    process.stderr.write(`conclave: cannot load .env: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  return main(argv);
}

/**
 * The `conclave` command. Returns the exit code; the caller sets `process.exitCode`.
 *
 * @example
 * process.exitCode = await main(["ask", "Name three risks", "--dry-run"]);
 */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "ask":
        return await ask(rest, io);
      case "chat":
        return await chatCommand(rest, { input: io.stdin ?? process.stdin, output: io.stdout, errors: io.stderr, env: io.env, process: io.process });
      case "validate":
        return validate(rest, io);
      case "init":
        return init(rest, io);
      case "run":
        if (rest[0] === "--help" || rest[0] === "-h") {
          io.stdout.write(RUN_HELP);
          return EXIT.ok;
        }
        return await runScript(rest);
      case "status":
        return await statusCommand(rest, io);
      case "resume":
        return await resumeCommand(rest, io);
      case "runs":
        return await runsCommand(rest, io);
      case "analyze":
        return await analyzeCommand(rest, io);
      case "doctor":
        return await doctorCommand(rest, io);
      case "sessions":
        return await sessionsCommand(rest, io);
      case "serve":
        return await serveCommand(rest, io);
      case "mcp":
        return await mcpCommand(rest, { stdin: io.stdin ?? process.stdin, stdout: io.stdout as NodeJS.WritableStream, stderr: io.stderr, env: io.env, process: io.process });
      case undefined:
        io.stderr.write(HELP);
        return EXIT.usage;
      case "help":
        return help(rest, io);
      case "--help":
      case "-h":
        io.stdout.write(HELP);
        return EXIT.ok;
      case "--version":
      case "-v":
        io.stdout.write(`${readVersion()}\n`);
        return EXIT.ok;
      default:
        throw new ConfigError(`unknown command \`${command}\`. Run \`conclave help\` to see the commands.`);
    }
  } catch (error) {
    return reportError(error, io);
  }
}


async function ask(argv: string[], io: CliIo): Promise<number> {
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
  const terminal = runOnTerminal(io, { automation });
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

function validate(args: string[], io: CliIo): number {
  const { positionals, values } = parseCommandArgs("validate", args, {});
  if (values.help) {
    io.stdout.write(VALIDATE_HELP);
    return EXIT.ok;
  }
  const file = positionals[0] ?? defaultConfigPath(io.env);
  const config = loadConfig(file, io.env);
  const c = config.coordination;
  io.stdout.write(
    `${file}: valid. ${config.agents.length} agent${config.agents.length === 1 ? "" : "s"} (${config.agents.map((a) => `${a.id}: ${a.backend.type}`).join(", ")}); ` +
      `max_rounds ${c.max_rounds}, voting ${c.voting}, refinement ${c.refinement ? "on" : "off"}.\n`,
  );
  return EXIT.ok;
}

function init(args: string[], io: CliIo): number {
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

// `conclave help [command]`: the command list, or one command's own help.
function help(args: string[], io: CliIo): number {
  const { positionals, values } = parseCommandArgs("help", args, {});
  if (values.help) {
    io.stdout.write(HELP_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new ConfigError(`\`conclave help\` takes one command, got ${positionals.length}: ${positionals.join(" ")}. Run \`conclave help <command>\`.`);
  const command = positionals[0];
  const text = command === undefined ? HELP : commandHelp(command);
  if (text === undefined) throw new ConfigError(`unknown command \`${command}\`. Run \`conclave help\` to see the commands.`);
  io.stdout.write(text);
  return EXIT.ok;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof ConfigError) {
    io.stderr.write(`conclave: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof ScriptError) {
    io.stderr.write(`conclave: ${error.message}\n`);
    return EXIT.execution;
  }
  io.stderr.write(`conclave: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.execution;
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
