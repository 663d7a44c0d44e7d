import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import type { Clock } from "../clock.ts";
import { loadConfig, validateConfig } from "../config/load-config.ts";
import type { ConclaveConfig, ConfigInput, CoordinationConfig } from "../config/config-schema.ts";
import type { RunSettings } from "../coordination/run-context.ts";
import { ConfigError } from "../errors.ts";
import { packagePath } from "../package-root.ts";
import { checkContextSize } from "../project/check-context-size.ts";
import { checkOptionNames, RUN_OPTION_NAMES } from "./check-option-names.ts";
import type { StatusJson } from "./status-json.ts";
import type { JournalEvent } from "./run-directory.ts";
import type { Project } from "../project/project.ts";
import type { RunNotes } from "./run-notes.ts";
import type { AskHuman } from "../workspace/human-query.ts";

export interface ContextPath {
  path: string;
  permission: "read" | "write";
}

/** Options of one run: the `launch_run` fields (snake_case) and the plumbing of a program (camelCase). */
export interface RunOptions<T = unknown> {
  task: string;
  /** A zod schema for structured output: agents put it in `new_answer`'s `data`; `result.data` is typed and validated. */
  output?: z.ZodType<T>;
  /** A plan-only run: no file writes, no commands. */
  planning_mode?: boolean;
  /** System prompts by agent id, replacing the config's for this run. */
  agent_system_prompts?: Record<string, string>;
  /** The step key of this run in a workflow (recorded in run_description.json). */
  id?: string;
  /** Paths (relative to the project, or the working directory) the agents may read, or write on their own copies. */
  context_paths?: ContextPath[];
  /** After a plan-only run, run the winning plan as an execute run (the result is the execute run's). */
  execute_after_planning?: boolean;
  /** The project the run belongs to: its context leads every prompt, its runs/ holds the run, its index records it. */
  project?: Project;
  /** Answers an agent's ask_human (`{ question, options?, context? }`); null when nobody is there (the agent states its assumption instead). */
  askHuman?: AskHuman;
  /** Asked before the winner's changes are written back; false keeps them in changes.patch only. */
  approve?: (card: { changes: string[]; patchPath: string }) => Promise<boolean>;
  /** Extra context placed after the task in every prompt. */
  context?: string;
  /** A config file path, or a config object. Default: `CONCLAVE_CONFIG`, then ./configs/default.yaml, then Conclave's own. */
  config?: string | ConfigInput;
  /** Run only these agents (ids from the config), in this order. */
  agents?: string[];
  agent_mode?: "single" | "multi";
  refinement?: boolean;
  coordination_overrides?: Partial<z.input<typeof COORDINATION_OVERRIDES_SCHEMA>>;
  /** The run's timeout in seconds (overrides coordination.timeouts.run). */
  timeout?: number;
  budget_usd?: number;
  /** Force the scripted backend whatever the config says. */
  dryRun?: boolean;
  /** Where run directories go. Default `.conclave/runs`. */
  runsDir?: string;
  clock?: Clock;
  /** Aborting it ends the run as `interrupted` (or `cancelled` when the reason is "cancelled", or "cancelled: <why>", which becomes the status_reason). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Called with each status.json as it is written. */
  onStatus?: (status: StatusJson) => void;
  /** Called with each event as it is journaled. */
  onEvent?: (event: JournalEvent) => void;
  /** Called once the run directory exists, before anything else happens. */
  onStart?: (info: { runId: string; logDir: string }) => void;
  /** Called with one-line notices meant for the person running it (e.g. which backend `auto` chose). */
  onNotice?: (line: string) => void;
  /** Recorded in run_description.json (workflow, step id, parent run). */
  description?: Record<string, unknown>;
  /** Notes from the person (createRunNotes()): each agent gets every note once, at the start of its next turn. */
  notes?: RunNotes;
}

/** `coordination_overrides`: coordination fields for one run (never context_paths or agent_system_prompts). */
export const COORDINATION_OVERRIDES_SCHEMA = z.strictObject({
  max_rounds: z.int().min(1).max(50).optional(),
  refinement: z.boolean().optional(),
  voting: z.enum(["lenient", "balanced", "strict"]).optional(),
  novelty: z.number().gt(0).max(1).optional(),
  max_answers_per_agent: z.int().min(1).optional(),
  presentation: z.boolean().optional(),
  timeouts: z
    .strictObject({
      run: z.number().positive().optional(),
      generation: z.number().positive().optional(),
      voting: z.number().positive().optional(),
      presentation: z.number().positive().optional(),
      call: z.number().positive().optional(),
      idle: z.number().positive().optional(),
    })
    .optional(),
  retry: z
    .strictObject({
      attempts: z.int().min(0).max(10).optional(),
      base_delay: z.number().min(0).optional(),
      max_delay: z.number().min(0).optional(),
      max_retry_after: z.number().min(0).optional(),
    })
    .optional(),
});

const optionsSchema = z.object({
  output: z.custom<z.ZodType>((v) => v instanceof z.ZodType, "`output` must be a zod schema, e.g. z.object({ … })").optional(),
  planning_mode: z.boolean().optional(),
  agent_system_prompts: z.record(z.string(), z.string()).optional(),
  id: z.string().min(1).optional(),
  context_paths: z
    .array(z.strictObject({ path: z.string().min(1, "a context path must not be empty"), permission: z.enum(["read", "write"]) }))
    .optional(),
  execute_after_planning: z.boolean().optional(),
  task: z.string({ error: "`task` is required: say what the agents should do" }).trim().min(1, "`task` must not be empty: say what the agents should do"),
  context: z.string().optional(),
  agents: z.array(z.string().min(1)).min(1, "`agents` must name at least one agent").optional(),
  agent_mode: z.enum(["single", "multi"]).optional(),
  refinement: z.boolean().optional(),
  coordination_overrides: COORDINATION_OVERRIDES_SCHEMA.optional(),
  timeout: z.number().positive("`timeout` must be a positive number of seconds").optional(),
  budget_usd: z.number().positive().optional(),
  notes: z
    .custom<RunNotes>((v) => typeof v === "object" && v !== null && typeof (v as RunNotes).told === "function" && typeof (v as RunNotes).onTell === "function", "`notes` must come from createRunNotes()")
    .optional(),
});

export interface NormalizedRun {
  task: string;
  output?: z.ZodType;
  context?: string;
  config: ConclaveConfig;
  configPath?: string;
  agents: ConclaveConfig["agents"];
  settings: RunSettings;
}

/**
 * Validates the options once, loads the config and merges everything into the settings of
 * the run. Throws ConfigError, before anything is written, on any bad input.
 */
export function normalizeRunOptions(options: RunOptions): NormalizedRun {
  checkOptionNames(options, RUN_OPTION_NAMES);
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".");
    throw new ConfigError(issue.message.startsWith("`") ? issue.message : `run option \`${field}\`: ${issue.message}`);
  }
  const o = parsed.data;
  const env = options.env ?? process.env;
  const { config, path } = resolveConfig(options.config, env);
  const context = runContext(options, o.context, config);

  let agents = config.agents;
  for (const id of Object.keys(o.agent_system_prompts ?? {})) {
    if (!config.agents.some((a) => a.id === id)) {
      throw new ConfigError(`\`agent_system_prompts\` names unknown agent \`${id}\`; ${path ?? "the config"} has ${config.agents.map((a) => a.id).join(", ")}`);
    }
  }
  if (o.agents) {
    agents = o.agents.map((id) => {
      const agent = config.agents.find((a) => a.id === id);
      if (!agent) {
        throw new ConfigError(`unknown agent \`${id}\` in \`agents\`; ${path ?? "the config"} has ${config.agents.map((a) => a.id).join(", ")}`);
      }
      return agent;
    });
  }
  if (o.agent_system_prompts) agents = agents.map((a) => (o.agent_system_prompts![a.id] !== undefined ? { ...a, system: o.agent_system_prompts![a.id] } : a));
  const { retry, ...overrides } = withoutTimeouts(o.coordination_overrides);
  const c: CoordinationConfig = { ...config.coordination, ...overrides, retry: { ...config.coordination.retry, ...retry } };
  const t = { ...config.coordination.timeouts, ...(o.coordination_overrides?.timeouts ?? {}) };
  if (o.timeout !== undefined) t.run = o.timeout;
  if (o.refinement !== undefined) c.refinement = o.refinement;
  const budget = o.budget_usd ?? config.budget.usd;
  const settings: RunSettings = {
    mode: o.agent_mode ?? "multi",
    maxRounds: c.max_rounds,
    refinement: c.refinement,
    voting: c.voting,
    novelty: c.novelty,
    maxAnswersPerAgent: c.max_answers_per_agent,
    presentation: c.presentation,
    timeouts: {
      run: t.run * 1000,
      generation: t.generation * 1000,
      voting: t.voting * 1000,
      presentation: t.presentation * 1000,
      call: t.call * 1000,
      idle: t.idle * 1000,
    },
    ...(budget !== undefined && { budgetUsd: budget }),
    ...(o.planning_mode && { planning: true }),
    ...(o.output && { dataSchema: z.toJSONSchema(o.output, { io: "input", unrepresentable: "any" }) as Record<string, unknown> }),
    retry: {
      retries: c.retry.attempts,
      baseDelayMs: c.retry.base_delay * 1000,
      maxDelayMs: c.retry.max_delay * 1000,
      maxRetryAfterMs: c.retry.max_retry_after * 1000,
    },
  };
  return { task: o.task, ...(o.output && { output: o.output }), ...(context !== undefined && { context }), config, ...(path && { configPath: path }), agents, settings };
}

/** The bytes a run's context may hold, from the config's `context.max_mb`. */
export function contextMaxBytes(config: ConclaveConfig): number {
  return Math.floor(config.context.max_mb * 1024 * 1024);
}

// The project's context leading the run's own (what every prompt of the run starts with), within the config's cap.
function runContext(options: RunOptions, own: string | undefined, config: ConclaveConfig): string | undefined {
  const maxBytes = contextMaxBytes(config);
  const fromProject = options.project?.context({ maxBytes });
  const parts = [
    { name: "the project's context (CONTEXT.md and the files it lists)", bytes: Buffer.byteLength(fromProject ?? "") },
    { name: "the run's `context` option", bytes: Buffer.byteLength(own ?? "") },
  ];
  checkContextSize(parts, maxBytes);
  const joined = [fromProject, own].filter(Boolean).join("\n\n");
  return options.project ? joined : own;
}

function withoutTimeouts<T extends { timeouts?: unknown }>(o: T | undefined): Omit<T, "timeouts"> {
  if (!o) return {} as Omit<T, "timeouts">;
  const { timeouts: _, ...rest } = o;
  return rest;
}

/** Conclave's own default config, used when neither the option, CONCLAVE_CONFIG nor ./configs/default.yaml names one. */
export const BUILTIN_CONFIG = packagePath("configs/default.yaml");

/**
 * The config path a run uses when none is given: `CONCLAVE_CONFIG`, then `<dir>/configs/default.yaml` (`dir` is the
 * current directory for `conclave ask` and `run()`, the repository root for a workflow), then Conclave's own.
 *
 * @example
 * defaultConfigPath(process.env, "/home/me/app") // "/home/me/app/configs/default.yaml" when it exists
 */
export function defaultConfigPath(env: NodeJS.ProcessEnv, dir = process.cwd()): string {
  if (env.CONCLAVE_CONFIG) return env.CONCLAVE_CONFIG;
  const local = resolve(dir, "configs/default.yaml");
  return existsSync(local) ? local : BUILTIN_CONFIG;
}

function resolveConfig(config: RunOptions["config"], env: NodeJS.ProcessEnv): { config: ConclaveConfig; path?: string } {
  if (config !== undefined && typeof config !== "string") return { config: validateConfig(config) };
  const path = config ?? defaultConfigPath(env);
  try {
    return { config: loadConfig(path, env), path: resolve(path) };
  } catch (error) {
    // Say where a config path came from when it was not passed explicitly.
    if (config === undefined && env.CONCLAVE_CONFIG && error instanceof ConfigError) {
      throw new ConfigError(`${error.message} (the path came from CONCLAVE_CONFIG)`, { cause: error });
    }
    throw error;
  }
}
