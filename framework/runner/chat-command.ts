import { ConfigError } from "../errors.ts";
import type { OpenSessionOptions } from "../session/session-types.ts";
import { EXIT } from "./exit-codes.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { runChat, type ChatIo } from "./run-chat.ts";

/** `conclave chat --help`. */
export const CHAT_HELP = `Usage: conclave chat [--project <dir>] [--config <file>] [--resume [<id>|latest]] [--fork] [--yes] [--dry-run]

Talk to the orchestrator: it answers questions about the project itself and launches runs of
the config's agents (plan, execute, verify) when the work deserves them, asking first per the
config's interactive.require_approval (Approve / Edit agents / Cancel). Each line you type is a
turn; a line typed while a run works is a note for that run's agents. The session is kept on
disk (<project>/sessions/<id>/, or .conclave/sessions/) after every message.

Slash commands: /help, /runs, /cost, /context (what the orchestrator sees), /exit.
Ctrl+C during a run cancels that run (the orchestrator gets its partial result; press it again
to end the turn); at the prompt, Ctrl+C, Ctrl+D or /exit saves the session and leaves. Piped
input is read line by line with plain output, and needs --yes for runs that need approval.

Options:
  --project <dir>     The project the session works on: its CONTEXT.md, files, runs/ and sessions/ (default:
                      $CONCLAVE_PROJECT; without one, sessions go under .conclave/sessions/).
  --config <file>     Config file (default: $CONCLAVE_CONFIG, ./configs/default.yaml, or Conclave's own).
  --resume [<id>]     Continue a session: its id, or latest (the default) for the most recently updated.
  --fork              With --resume: continue a copy under a new id, leaving the original as it was.
  --yes               Approve every run without asking.
  --dry-run           Use the offline scripted backend for the orchestrator and every agent.
  -h, --help          Show this help.

Examples:
  npx conclave chat --project projects/demo --dry-run
  npx conclave chat --project projects/demo --resume latest
  echo "What is the current status?" | npx conclave chat --project projects/demo --yes

Exit codes: 0 the session ended (saved), 1 configuration or usage error (a bad flag, no such session, a run needing
approval without a terminal and without --yes), 4 interrupted (SIGTERM, SIGHUP, or the launcher gone).
`;

/**
 * `conclave chat [options]`: parses the flags, opens (or resumes) the session and runs the REPL
 * on `io.input`. Returns the exit code.
 *
 * @example
 * process.exitCode = await chatCommand(["--project", "projects/demo", "--dry-run"], { input: process.stdin, output: process.stdout, errors: process.stderr, env: process.env, process });
 */
export async function chatCommand(args: string[], io: ChatIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("chat", withResumeValue(args), {
    project: { type: "string" },
    config: { type: "string" },
    resume: { type: "string" },
    fork: { type: "boolean" },
    yes: { type: "boolean" },
    "dry-run": { type: "boolean" },
  });
  if (values.help) {
    io.output.write(CHAT_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new ConfigError(`\`conclave chat\` takes no arguments, got "${positionals.join(" ")}": type your message at the prompt, or pipe it in. Run \`conclave chat --help\` for the options.`);
  if (values.fork && values.resume === undefined) throw new ConfigError("`--fork` continues a copy of a session: give it with `--resume <id>` or `--resume latest`.");
  const project = typeof values.project === "string" ? values.project : io.env.CONCLAVE_PROJECT || undefined;
  const options: OpenSessionOptions = {
    ...(project && { project }),
    ...(typeof values.config === "string" && { config: values.config }),
    ...(typeof values.resume === "string" && { resume: values.resume }),
    ...(values.fork && { fork: true }),
    ...(values.yes && { autoApprove: true }),
    ...(values["dry-run"] && { dryRun: true }),
    env: io.env,
  };
  // The engine is loaded when chat starts, so other commands never load it.
  const { openSession } = await import("../session/open-session.ts");
  const fromEnv = typeof values.project !== "string" && project !== undefined;
  const session = await openSession(options).catch((error: unknown) => {
    // A project named by the environment says so, since no flag on the line shows it.
    if (fromEnv && error instanceof ConfigError && error.message.includes(project!)) throw new ConfigError(`\`CONCLAVE_PROJECT\`: ${error.message}`, { cause: error });
    throw error;
  });
  return runChat(session, io, { resumed: values.resume !== undefined });
}

// `--resume` alone (last, or before another flag) means `--resume latest`.
function withResumeValue(args: string[]): string[] {
  return args.map((arg, i) => (arg === "--resume" && (i === args.length - 1 || args[i + 1]!.startsWith("-")) ? "--resume=latest" : arg));
}
