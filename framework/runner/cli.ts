import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.ts";
import { packagePath } from "../package-root.ts";
import { commandHelp, HELP_HELP, RUN_HELP } from "./command-help.ts";
import { EXIT } from "./exit-codes.ts";
import { loadDotEnv } from "./load-dot-env.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { runScript, ScriptError } from "./run-script.ts";
import { tolerateClosedOutput } from "./tolerate-closed-output.ts";

// Each command's module is imported when that command runs, not before: `conclave ask --dry-run`,
// `conclave status` and `conclave --help` load only what they use (the helps are in command-help.ts).

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
        return await (await import("./ask-command.ts")).askCommand(rest, io);
      case "chat":
        return await (await import("./chat-command.ts")).chatCommand(rest, { input: io.stdin ?? process.stdin, output: io.stdout, errors: io.stderr, env: io.env, process: io.process });
      case "validate":
        return (await import("./validate-command.ts")).validateCommand(rest, io);
      case "init":
        return (await import("./init-command.ts")).initCommand(rest, io);
      case "run":
        if (rest[0] === "--help" || rest[0] === "-h") {
          io.stdout.write(RUN_HELP);
          return EXIT.ok;
        }
        return await runScript(rest);
      case "status":
        return await (await import("./status-command.ts")).statusCommand(rest, io);
      case "resume":
        return await (await import("./resume-command.ts")).resumeCommand(rest, io);
      case "runs":
        return await (await import("./runs-command.ts")).runsCommand(rest, io);
      case "analyze":
        return await (await import("./analyze-command.ts")).analyzeCommand(rest, io);
      case "doctor":
        return await (await import("./doctor-command.ts")).doctorCommand(rest, io);
      case "sessions":
        return await (await import("./sessions-command.ts")).sessionsCommand(rest, io);
      case "serve":
        return await (await import("./serve-command.ts")).serveCommand(rest, io);
      case "mcp":
        return await (await import("./mcp-command.ts")).mcpCommand(rest, { stdin: io.stdin ?? process.stdin, stdout: io.stdout as NodeJS.WritableStream, stderr: io.stderr, env: io.env, process: io.process });
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
  const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string };
  return pkg.version;
}
