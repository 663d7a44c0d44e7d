import { workflowHelp } from "./workflow-flags.ts";

// Each command's help, written by hand: its usage line first, every flag, an example. They live here,
// apart from the commands, so that `conclave --help` and `conclave help <command>` load no command.

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

/** `conclave runs --help`. */
export const RUNS_HELP = `Usage: conclave runs [project-dir | project-name] [--json] [--limit N]

Lists runs, newest last: a project's runs/index.json (and its runs still going) when a project
is given (a directory, or a name under ./projects/), otherwise the run directories under
./.conclave/runs/ (where \`conclave ask\` writes). A run that has not finished and whose
process is gone (killed, crashed) is listed as abandoned.

Options:
  --json      Print the runs as a JSON array (the fields of runs/index.json).
  --limit N   Only the newest N runs.
  -h, --help  Show this help.

Examples:
  npx conclave runs
  npx conclave runs demo --limit 5
  npx conclave runs projects/demo --json

Exit codes: 0 listed, 1 no such project.
`;

/** `conclave analyze --help`. */
export const ANALYZE_HELP = `Usage: conclave analyze [run-dir | run-id | latest | project] [--json] [--write-config <file>]

Says why a run was slow, costly or went in circles, from its own files (events.jsonl,
status.json, run_description.json, result.json), and what to change: the findings first, then
their evidence (the answers, rounds and votes that show them), then the recommended config
changes and the commands that rerun with them. Works on finished, failed and abandoned runs.
\`latest\` (the default) is the most recently changed run under ./.conclave/runs/ and
./projects/*/runs/. Given a project (a directory with CONTEXT.md or runs/, or a name under
./projects/), it sums cost, time and calls by workflow step and by run, and lists the runs
abandoned or failed.

Options:
  --json                 Print the report as JSON (framework/analysis/analysis-report.ts).
  --write-config <file>  Write the run's config with the recommendations applied (comments and
                         order kept) to <file>, then rerun with \`--config <file>\`.
  -h, --help             Show this help.

Examples:
  npx conclave analyze
  npx conclave analyze latest --write-config tuned.yaml
  npx conclave analyze .conclave/runs/20261202-033000-0123456789ab --json
  npx conclave analyze projects/demo

Exit codes: 0 analysed, 1 not a run or a project, or a config that cannot be written.
`;

/** `conclave doctor --help`. */
export const DOCTOR_HELP = `Usage: conclave doctor [--config <file>] [--offline] [--json]

Checks, before anything is spent, that every agent of a config can run here: which backend
\`auto\` resolves to and why, whether its key is set (the variable is named, the value never
shown), whether its server answers, whether its model is listed by the server or answers a
one-token request, and whether its price is known (configs/prices.yaml). Prints a table with a
verdict per agent and what to fix. Exit 0 when every agent is ready, 1 otherwise.

Options:
  --config <file>   Config file (default: $CONCLAVE_CONFIG, ./configs/default.yaml, or Conclave's own).
  --offline         No network: check keys and prices only (scripted agents are always ready).
  --json            Print the checks as JSON: { config, offline, ready, agents: [...] }.
  -h, --help        Show this help.

Examples:
  npx conclave doctor --config configs/openai.yaml
  npx conclave doctor --offline --json
`;

/** `conclave sessions --help`. */
export const SESSIONS_HELP = `Usage: conclave sessions [--project <dir>] [--json]
       conclave sessions export <id|latest> [--format md|json] [--out <file>] [--project <dir>]
       conclave sessions import <file> [--project <dir>]
       conclave sessions search <text> [--project <dir>] [--json]

The conversations of \`conclave chat\` and \`conclave ask\`, kept on disk: a project's sessions/
with --project (or $CONCLAVE_PROJECT, as \`conclave chat\` takes it), otherwise ./.conclave/sessions/.
Without a subcommand, lists them, newest updated last: updated, id, project, turns, cost (the
conversation's and its runs'), last message.
  export   a session as a Markdown transcript (md, the default) or as JSON that import reads back
  import   a JSON export as a new session (its own id unless taken, then a new one)
  search   the messages that contain <text>, case-insensitive, with an excerpt

Options:
  --project <dir>     The project whose sessions/ to use (default: $CONCLAVE_PROJECT, then ./.conclave/sessions).
  --json              Print the list, or the search hits, as JSON.
  --format <f>        export: md (a transcript, the default) or json (\`{ format, session, messages }\`).
  --out <file>        export: write to <file> (atomically) instead of stdout.
  -h, --help          Show this help.

Examples:
  npx conclave sessions
  npx conclave sessions export latest --format md --out session.md
  npx conclave sessions import session.json --project projects/demo
  npx conclave sessions search websocket

Exit codes: 0 done (also when nothing matches), 1 usage error, no such session or a bad file.
`;

/** `conclave serve --help`. */
export const SERVE_HELP = `Usage: conclave serve [--port 7070] [--host 127.0.0.1] [--project <dir> | --runs-dir <dir>] [--config <file>] [--dry-run]

Serves the runs over HTTP: GET /api/runs (newest first), GET /api/runs/<id> (status, result,
answers and votes with reasons) and GET /api/runs/<id>/events (Server-Sent Events: the run's
events.jsonl so far, then live; resumable with Last-Event-ID), the run viewer at /, and the
tools of \`conclave mcp\` over MCP Streamable HTTP at /mcp. It listens on 127.0.0.1 unless
told otherwise; any other host needs CONCLAVE_TOKEN. When it is set, every request must send
\`Authorization: Bearer <token>\` or the cookie a browser gets by opening /?token=<token> (the
address it prints on a terminal). Requests from another page's Origin are refused.
Ctrl+C or SIGTERM stops it.

Options:
  --port <n>          The port (default 7070; 0 picks a free one).
  --host <host>       The address to listen on (default 127.0.0.1).
  --project <dir>     Serve this project's runs (<dir>/runs; default $CONCLAVE_PROJECT).
  --runs-dir <dir>    Serve the run directories under <dir> (default .conclave/runs).
  --config <file>     Config file of the runs launched here (default: $CONCLAVE_CONFIG, ./configs/default.yaml, or Conclave's own).
  --dry-run           Every run launched here uses the offline scripted backend.
  -h, --help          Show this help.

Examples:
  npx conclave serve
  npx conclave serve --project projects/demo --port 8080
  CONCLAVE_TOKEN=$(openssl rand -hex 16) npx conclave serve --host 0.0.0.0

Exit codes: 0 stopped (Ctrl+C, SIGTERM), 1 bad option, no such directory, or the port in use.
`;

/** `conclave mcp --help`. */
export const MCP_HELP = `Usage: conclave mcp [--project <dir>] [--config <file>] [--dry-run]

Serve Conclave over MCP on stdio, for coding agents (Claude Code, Cursor, VS Code): stdout and
stdin carry the protocol, notices go to stderr. Tools: launch_run, run_status, run_result,
cancel_run, list_runs, list_queries, answer_query, analyze_run. An agent's question reaches the client
through elicitation when it supports it, else it waits (coordination.timeouts.human) for
answer_query. Ending stdin (the client closing) cancels the runs still running and exits.

Options:
  --project <dir>     The project the runs work on: its CONTEXT.md, files and runs/ (default: $CONCLAVE_PROJECT;
                      without one, runs go under .conclave/runs/).
  --config <file>     Config file (default: $CONCLAVE_CONFIG, ./configs/default.yaml, or Conclave's own).
  --dry-run           Every run uses the offline scripted backend.
  -h, --help          Show this help.

Examples:
  npx conclave mcp --project projects/demo
  claude mcp add conclave -- npx conclave mcp --project projects/demo

Exit codes: 0 the client closed the connection, 1 configuration or usage error, 4 interrupted (a signal, or the launcher gone).
`;

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
