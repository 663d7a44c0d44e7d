import { z } from "zod";
import { checkOptionNames, PRESET_OPTION_NAMES } from "./check-option-names.ts";
import type { RunOptions } from "./run-options.ts";
import type { RunResult } from "./run-result.ts";

/** The default plan of `plan()`: ordered steps, each a task for `execute()`. */
export const PLAN_SCHEMA = z.object({
  steps: z
    .array(z.object({ title: z.string().min(1).describe("A short name for the step."), task: z.string().min(1).describe("What to do, as a task for the agents.") }))
    .min(1)
    .describe("The steps, in the order to do them."),
});

/** The verdict of `verify()`. */
export const VERDICT_SCHEMA = z.object({
  passed: z.boolean().describe("True when the work satisfies the question."),
  issues: z.array(z.string()).describe("What is wrong or missing, one item each; empty when passed."),
});

export type Plan = z.infer<typeof PLAN_SCHEMA>;
export type Verdict = z.infer<typeof VERDICT_SCHEMA>;

/** Options a preset adds to the run options. */
export interface PresetOptions<T> extends Omit<RunOptions<T>, "task"> {
  /** `"single"` or `"multi"`: shorthand for `agent_mode`. */
  mode?: "single" | "multi";
  /** Paths (relative to the project) the run may write; each agent works on its own copy. */
  writes?: string[];
  /** Paths (relative to the project) the agents may read. */
  reads?: string[];
  /** A previous result whose answer the agents should judge or build on. */
  evidence?: Pick<RunResult, "answer"> | string;
}

/** Turns preset options into run options: mode, writes/reads → context_paths, evidence → context. */
export function presetRunOptions<T>(task: string, options: PresetOptions<T>, defaults: Partial<RunOptions<T>>): RunOptions<T> {
  checkOptionNames(options, PRESET_OPTION_NAMES);
  const { mode, writes, reads, evidence, ...rest } = options;
  const paths = [...(writes ?? []).map((path) => ({ path, permission: "write" as const })), ...(reads ?? []).map((path) => ({ path, permission: "read" as const }))];
  const shown = typeof evidence === "string" ? evidence : evidence?.answer;
  const context = [rest.context, shown ? `# Evidence\n\n${shown}` : undefined].filter(Boolean).join("\n\n");
  return {
    ...defaults,
    ...rest,
    task,
    ...(mode && { agent_mode: mode }),
    ...(paths.length && { context_paths: [...(rest.context_paths ?? []), ...paths] }),
    ...(context && { context }),
  } as RunOptions<T>;
}
