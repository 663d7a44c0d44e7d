import { ANALYZE_HELP } from "./analyze-command.ts";
import { CHAT_HELP } from "./chat-command.ts";
import { DOCTOR_HELP } from "./doctor-command.ts";
import { MCP_HELP } from "./mcp-command.ts";
import { RESUME_HELP } from "./resume-command.ts";
import { RUNS_HELP } from "./runs-command.ts";
import { SERVE_HELP } from "./serve-command.ts";
import { SESSIONS_HELP } from "./sessions-command.ts";
import { STATUS_HELP } from "./status-command.ts";
import { workflowHelp } from "./workflow-flags.ts";

// Each command's help, written by hand: its usage line first, every flag, an example.

const EXIT_CODES = "Exit codes: 0 success, 1 configuration or usage error, 2 execution error, 3 timeout, 4 interrupted.\n";

/** `conclave ask --help`. */
export const ASK_HELP = `Usage: conclave ask "<task>" [options]

One run: the config's agents answer the task in parallel, see each other's answers, vote, and
the winner presents the final answer, printed on stdout. The run directory goes under
.conclave/runs/ (see \`conclave status\` and \`conclave runs\`). The question and the final answer
are kept as a turn of a session in .conclave/sessions/ (sessions/ beside --runs-dir; see
\`conclave sessions\`); with --continue the run is told that session's earlier questions and
answers, and the turn is added to it.

Options:
  --config <file>     Config file (default: $CONCLAVE_CONFIG, ./configs/default.yaml, or Conclave's own).
  --agents <a,b>      Run only these agents of the config, in this order.
  --mode <m>          single (one agent, no voting) or multi (default).
  --no-refine         No revised answers: generation, then one round of votes.
  --timeout <s>       The run's timeout in seconds (overrides coordination.timeouts.run).
  --dry-run           Use the offline scripted backend for every agent.
  --automation        Plain output for programs: LOG_DIR, Phase, Winner, Final answer, Elapsed.
  --runs-dir <dir>    Where run directories go (default: .conclave/runs); sessions go beside it.
  --yes               Approve a run above the config's approval.above_usd without asking.
  --continue [id]     A follow-up turn of a session (default: latest, the newest updated); a word
                      after it that is neither \`latest\` nor a session id is part of the task.
  -h, --help          Show this help.

Examples:
  npx conclave ask "Name three risks of moving our API to HTTP/3" --dry-run
  npx conclave ask "Review our caching plan" --config configs/offline.yaml --agents alpha,beta --timeout 120
  npx conclave ask --continue "Which of those risks is the cheapest to remove?" --dry-run

${EXIT_CODES}`;

/** `conclave validate --help`. */
export const VALIDATE_HELP = `Usage: conclave validate [file]

Checks a config file (YAML) and prints \`<file>: valid.\` with its agents and settings, or what
is wrong, with the file, line and field. Without a file it checks the config \`conclave ask\` and
workflows use: $CONCLAVE_CONFIG, ./configs/default.yaml, or Conclave's own.

Options:
  -h, --help          Show this help.

Examples:
  npx conclave validate configs/offline.yaml
  npx conclave validate

Exit codes: 0 valid, 1 not valid or not readable.
`;

/** `conclave init --help`. */
export const INIT_HELP = `Usage: conclave init <name> [--dir <dir>]

Creates a project, <dir>/<name>/: CONTEXT.md from a template (goals, constraints, state: edit it
first), an empty filepaths.json (the files the agents should see), deliverables/ and runs/.
Refuses a name that is not a simple directory name, and a directory that exists and is not empty.

Options:
  --dir <dir>         Where to create it (default: projects).
  -h, --help          Show this help.

Examples:
  npx conclave init my-api
  npx conclave init my-api --dir work/projects
  npx conclave run workflows/feature.ts --project projects/my-api     (then run a workflow on it)

Exit codes: 0 created, 1 refused (nothing is written).
`;

/** `conclave run --help`; `conclave run <script> --help` is the script's own (workflow()). */
export const RUN_HELP = workflowHelp({
  usage: "Usage: conclave run <workflow.ts> [options]",
  about: "Runs a workflow script (a .ts file that calls workflow()) in this process, with the options\nafter it; the same as `npx tsx <workflow.ts> [options]`. `conclave run <workflow.ts> --help`\nshows that script's own help.",
  script: "workflows/feature.ts",
  command: "npx conclave run",
});

/** `conclave help --help`. */
export const HELP_HELP = `Usage: conclave help [command]

Shows the commands, or one command's usage, options and examples (the same as
\`conclave <command> --help\`).

Options:
  -h, --help          Show this help.

Examples:
  npx conclave help
  npx conclave help ask
`;

const HELPS: Record<string, string> = { ask: ASK_HELP, chat: CHAT_HELP, doctor: DOCTOR_HELP, validate: VALIDATE_HELP, init: INIT_HELP, run: RUN_HELP, status: STATUS_HELP, resume: RESUME_HELP, runs: RUNS_HELP, analyze: ANALYZE_HELP, sessions: SESSIONS_HELP, serve: SERVE_HELP, mcp: MCP_HELP, help: HELP_HELP };

/**
 * A command's own help (`conclave <command> --help`), or undefined for a command that does not exist.
 *
 * @example
 * process.stdout.write(commandHelp("init")!); // "Usage: conclave init <name> [--dir <dir>]\n…"
 */
export function commandHelp(command: string): string | undefined {
  return Object.hasOwn(HELPS, command) ? HELPS[command] : undefined;
}
