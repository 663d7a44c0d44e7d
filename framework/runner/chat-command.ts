import { ConfigError } from "../errors.ts";
import type { OpenSessionOptions } from "../session/session-types.ts";
import { CHAT_HELP } from "./command-help.ts";
import { EXIT } from "./exit-codes.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { runChat, type ChatIo } from "./run-chat.ts";

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
