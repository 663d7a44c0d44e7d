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
  yes: boolean;
  confirm: boolean;
  fresh: boolean;
  help: boolean;
}

export const WORKFLOW_HELP = `Usage: npx tsx <workflow.ts> [options]     (or: npx conclave run <workflow.ts> [options])

Options:
  --dry-run           Every run uses the offline scripted backend.
  --config <file>     The config for every run (default: $CONCLAVE_CONFIG, configs/default.yaml in the
                      script's repository (the nearest directory up with package.json or .git), or Conclave's own).
  --project <dir>     The project directory (default: $CONCLAVE_PROJECT, or projects/<workflow name> in the
                      script's repository).
  --fresh             Ignore remembered steps: run every step again.
  --automation        Plain output for programs: a LOG_DIR line per run, then WORKFLOW: <status>.
  --yes               Approve every run without asking, and say so (automation mode does the same).
  --confirm           Show each run's card (task, agents, mode, files it may write, estimate) and ask
                      Approve / Edit agents / Cancel; then ask before writing the winner's changes back.
                      Runs above the config's approval.above_usd are always asked about.
  --watch             Run again whenever CONTEXT.md, filepaths.json, the files it lists, or the script change.
  -h, --help          Show this help.

Exit codes: 0 success, 1 configuration or usage error, 2 execution error, 3 timeout, 4 interrupted.
`;

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
    ...(project && { project }),
    yes: Boolean(values.yes),
    confirm: Boolean(values.confirm),
    fresh: Boolean(values.fresh),
    help: Boolean(values.help),
  };
}
