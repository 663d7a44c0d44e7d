import { parseArgs } from "node:util";
import { ConfigError } from "../errors.ts";
import { firstSentence } from "./parse-command-args.ts";

/** The flags every workflow script and `conclave run <script>` accept. */
export interface WorkflowFlags {
  watch: boolean;
  automation: boolean;
  dryRun: boolean;
  config?: string;
  project?: string;
  /** Where `project` came from. */
  projectFrom?: "--project" | "CONCLAVE_PROJECT";
  yes: boolean;
  confirm: boolean;
  fresh: boolean;
  help: boolean;
}

/** How `workflowHelp()` begins and what its examples run. */
export interface WorkflowHelpHeader {
  /** The first line, `Usage: …`. */
  usage: string;
  /** A paragraph under it: what the command or script does. */
  about: string;
  /** The script the examples name. */
  script: string;
  /** What the examples run it with: `npx tsx`, `npx conclave run`. */
  command: string;
}

/**
 * The help of a workflow script and of `conclave run`: `header`, then every workflow flag and
 * examples.
 *
 * @example
 * workflowHelp({ usage: "Usage: npx tsx workflows/feature.ts [options]", about: "The workflow `feature`.", script: "workflows/feature.ts", command: "npx tsx" });
 */
export function workflowHelp(header: WorkflowHelpHeader): string {
  const { script, command } = header;
  return `${header.usage}

${header.about}

Options:
  --dry-run           Every run uses the offline scripted backend.
  --config <file>     The config for every run (default: $CONCLAVE_CONFIG, configs/default.yaml in the
                      script's repository (the nearest directory up with package.json or .git), or Conclave's own).
  --project <dir>     The project directory, which must exist (default: $CONCLAVE_PROJECT, or projects/<workflow name>
                      in the script's repository, created on first use). \`npx conclave init <name>\` makes a new one.
  --fresh             Ignore remembered steps: run every step again.
  --automation        Plain output for programs: a LOG_DIR line per run, then WORKFLOW: <status>.
  --yes               Approve every run without asking, and say so (automation mode does the same).
  --confirm           Show each run's card (task, agents, mode, files it may write, estimate) and ask
                      Approve / Edit agents / Cancel; then ask before writing the winner's changes back.
                      Runs above the config's approval.above_usd are always asked about.
  --watch             Run again whenever CONTEXT.md, filepaths.json, the files it lists, or the script change.
  -h, --help          Show this help.

Examples:
  ${command} ${script} --project projects/demo --dry-run
  ${command} ${script} --project projects/demo --config configs/offline.yaml --watch

Exit codes: 0 success, 1 configuration or usage error, 2 execution error, 3 timeout, 4 interrupted.
`;
}

/** Parses the workflow flags; anything else is a usage error that says what is accepted. */
export function parseWorkflowFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): WorkflowFlags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        watch: { type: "boolean" },
        automation: { type: "boolean" },
        "dry-run": { type: "boolean" },
        config: { type: "string" },
        project: { type: "string" },
        yes: { type: "boolean" },
        confirm: { type: "boolean" },
        fresh: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError(`${firstSentence(error)}. Run the workflow with --help for its options.`);
  }
  const project = (values.project as string | undefined) ?? env.CONCLAVE_PROJECT;
  return {
    watch: Boolean(values.watch),
    automation: Boolean(values.automation),
    dryRun: Boolean(values["dry-run"]),
    ...(typeof values.config === "string" && { config: values.config }),
    ...(project && { project, projectFrom: values.project !== undefined ? "--project" : "CONCLAVE_PROJECT" }),
    yes: Boolean(values.yes),
    confirm: Boolean(values.confirm),
    fresh: Boolean(values.fresh),
    help: Boolean(values.help),
  };
}
