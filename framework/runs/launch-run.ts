import { z } from "zod";
import type { RunResult } from "./run-result.ts";
import { COORDINATION_OVERRIDES_SCHEMA, type RunOptions } from "./run-options.ts";

// A task missing, or given as something other than a string: which one, said.
function taskError(input: unknown): string {
  if (input === undefined) return "`task` is required: say what the agents should do";
  const got = input === null ? "null" : Array.isArray(input) ? "a list" : typeof input === "object" ? "an object" : `the ${typeof input} ${String(input)}`;
  return `\`task\` must be a string, got ${got}: say what the agents should do`;
}

/**
 * The `launch_run` contract: one zod schema serves the chat orchestrator, the MCP server and the
 * HTTP API. Every field but `task` has its default here, so a caller's arguments parse into the
 * whole set of options a run is started with.
 */
export const LAUNCH_RUN_SCHEMA = z.strictObject({
  task: z.string({ error: (issue) => taskError(issue.input) }).trim().min(1, "`task` must not be empty: say what the agents should do").describe("What the agents should do, in full."),
  context: z.string().optional().describe("What the agents should know besides the project: decisions made, constraints, earlier results."),
  agent_mode: z.enum(["single", "multi"]).default("multi").describe("single: one agent, no voting (quick, cheap); multi: every agent answers and votes."),
  agents: z.array(z.string().min(1)).min(1).optional().describe("Agent ids from the config to run, in this order (default: all)."),
  refinement: z.boolean().optional().describe("May agents post revised answers after seeing the others? Default true for multi, false for single. false = independent opinions."),
  planning_mode: z.boolean().default(false).describe("Plan only: no file writes, no commands."),
  execute_after_planning: z.boolean().default(false).describe("With planning_mode: carry out the winning plan in an execute run."),
  context_paths: z
    .array(z.strictObject({ path: z.string().min(1), permission: z.enum(["read", "write"]) }))
    .default([])
    .describe("Project paths the agents get in their workspaces; `write` ones are written back after the run."),
  agent_system_prompts: z.record(z.string(), z.string()).optional().describe("System prompts by agent id, for this run only."),
  coordination_overrides: COORDINATION_OVERRIDES_SCHEMA.optional()
    .describe("Coordination settings for this run (never context_paths or agent_system_prompts)."),
  wait: z.boolean().default(true).describe("true: return when the run ends; false: return the run id at once (runs in parallel)."),
});

export type LaunchRunArgs = z.output<typeof LAUNCH_RUN_SCHEMA>;
export type LaunchRunInput = z.input<typeof LAUNCH_RUN_SCHEMA>;

/** A parse of `launch_run` arguments: the arguments with their defaults, or one message that names the field. */
export function parseLaunchRun(input: unknown): { ok: true; args: LaunchRunArgs } | { ok: false; error: string } {
  const parsed = LAUNCH_RUN_SCHEMA.safeParse(input ?? {});
  if (parsed.success) return { ok: true, args: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length ? issue.path.join(".") : issue.code === "unrecognized_keys" ? (issue as { keys: string[] }).keys.join(", ") : "arguments";
  const message = issue.message.startsWith("`") ? issue.message : `\`${field}\`: ${issue.message}`;
  return { ok: false, error: `launch_run ${message}` };
}

/** The run() options of a launch: the contract's fields, with refinement's default following the mode. */
export function launchRunOptions(args: LaunchRunArgs): RunOptions {
  return {
    task: args.task,
    ...(args.context !== undefined && { context: args.context }),
    agent_mode: args.agent_mode,
    ...(args.agents && { agents: args.agents }),
    refinement: args.refinement ?? args.agent_mode === "multi",
    ...(args.planning_mode && { planning_mode: true }),
    ...(args.execute_after_planning && { execute_after_planning: true }),
    ...(args.context_paths.length && { context_paths: args.context_paths }),
    ...(args.agent_system_prompts && { agent_system_prompts: args.agent_system_prompts }),
    ...(args.coordination_overrides && { coordination_overrides: args.coordination_overrides }),
  };
}

/** What `launch_run` returns: compact, since the caller's context is the scarce thing. */
export interface LaunchRunResult {
  run_id: string;
  status: string;
  status_reason?: string;
  winner: string | null;
  winner_reason: string | null;
  /** The final answer, at most ANSWER_CHARS characters; past that, clipped with the path of the whole. */
  answer: string | null;
  files_changed: string[];
  conflicts: string[];
  cost_usd: number | null;
  elapsed_seconds: number;
  log_dir: string;
}

/** The most of a final answer `launch_run` returns inline. */
export const ANSWER_CHARS = 2000;

/** The compact result of a finished run. */
export function launchRunResult(result: RunResult): LaunchRunResult {
  const answer = result.answer === null ? null : result.answer.length <= ANSWER_CHARS ? result.answer : `${result.answer.slice(0, ANSWER_CHARS).trimEnd()}…\n(the whole answer: ${result.final_answer_path ?? result.log_dir})`;
  return {
    run_id: result.run_id,
    status: result.status,
    ...(result.status_reason && { status_reason: result.status_reason }),
    winner: result.winner,
    winner_reason: result.winner_reason,
    answer,
    files_changed: result.changes?.files ?? [],
    conflicts: result.changes?.conflicts ?? [],
    cost_usd: result.usage.cost_usd,
    elapsed_seconds: result.elapsed_seconds,
    log_dir: result.log_dir,
  };
}
