import { z } from "zod";
import { MODEL_ERROR_KINDS, type ModelErrorKind } from "../errors.ts";

/** The error kinds a scripted agent can be told to fail with: the real backends' classification. */
export const FAIL_KINDS = MODEL_ERROR_KINDS.filter((k): k is Exclude<ModelErrorKind, "aborted"> => k !== "aborted") as [
  Exclude<ModelErrorKind, "aborted">,
  ...Exclude<ModelErrorKind, "aborted">[],
];

export const BACKEND_TYPES = ["auto", "openai", "anthropic", "scripted"] as const;

/** One turn of a scripted agent: exactly one of answer, vote, tool or text. */
export const scriptTurnSchema = z
  .strictObject({
    answer: z.string().optional().describe("Post this answer with the new_answer tool."),
    data: z.unknown().optional().describe("Structured data sent with `answer`."),
    vote: z.string().optional().describe("Vote for this answer label (A, B, …)."),
    reason: z.string().optional().describe("The reason given with `vote`."),
    tool: z.string().optional().describe("Call this tool by name."),
    args: z.record(z.string(), z.unknown()).optional().describe("Arguments for `tool`."),
    text: z.string().optional().describe("Reply with plain text and no tool call."),
  })
  .superRefine((turn, ctx) => {
    const kinds = (["answer", "vote", "tool", "text"] as const).filter((k) => turn[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `expected exactly one of answer, vote, tool, text in a script turn, got ${kinds.length ? kinds.join(", ") : "none"}`,
      });
    }
  });

export const backendSchema = z.strictObject({
  type: z.enum(BACKEND_TYPES).default("auto").describe("auto picks anthropic, openai or scripted from the environment."),
  model: z.string().min(1).optional().describe("Model name, e.g. gpt-4.1-mini or claude-sonnet-4-5."),
  models: z
    .strictObject({
      generation: z.string().min(1).optional(),
      voting: z.string().min(1).optional(),
      presentation: z.string().min(1).optional(),
    })
    .optional()
    .describe("Tiered models: a model per phase (e.g. vote with a cheaper one); `model` fills the gaps."),
  base_url: z.string().url().optional().describe("Base URL of an OpenAI-compatible server (Ollama, vLLM, llama.cpp)."),
  api_key_env: z.string().min(1).optional().describe("Environment variable that holds the API key."),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.int().positive().optional(),
  latency_ms: z.int().min(0).optional().describe("scripted: delay before every reply."),
  hang: z.boolean().optional().describe("scripted: never reply until the call is aborted."),
  fail: z
    .strictObject({
      times: z.union([z.int().positive(), z.literal("always")]).describe("How many calls fail first, or always."),
      kind: z.enum(FAIL_KINDS),
      retry_after_ms: z.int().min(0).optional(),
    })
    .optional()
    .describe("scripted: fail the first calls with this error kind."),
  script: z.array(scriptTurnSchema).optional().describe("scripted: the turns to play, in order."),
});

export const agentSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "expected letters, digits, - or _ (it names a directory)")
    .describe("Unique agent id."),
  system: z.string().optional().describe("The agent's system prompt."),
  backend: backendSchema.default({ type: "auto" }),
});

export const timeoutsSchema = z.strictObject({
  run: z.number().positive().default(1800),
  generation: z.number().positive().default(300),
  voting: z.number().positive().default(300),
  presentation: z.number().positive().default(300),
  call: z.number().positive().default(180),
  idle: z.number().positive().default(60),
  human: z
    .number()
    .positive()
    .default(600)
    .describe("Seconds an agent's question (ask_human) waits for an answer, wherever it is asked (the terminal, conclave chat, an MCP client, the web page); then the agent states its assumption."),
});

export const retrySchema = z.strictObject({
  attempts: z.int().min(0).max(10).default(3).describe("Retries after the first attempt, for rate limits, overload, 5xx, resets and stalls."),
  base_delay: z.number().min(0).default(0.5).describe("Seconds: the first backoff; it doubles each retry, with jitter."),
  max_delay: z.number().min(0).default(8).describe("Seconds: the longest backoff."),
  max_retry_after: z.number().min(0).default(60).describe("Seconds: the longest retry-after honoured."),
});

export const coordinationSchema = z.strictObject({
  max_rounds: z.int().min(1).max(50).default(4).describe("Rounds in all: generation is round 1."),
  refinement: z.boolean().default(true).describe("May agents post revised answers while voting?"),
  voting: z
    .enum(["lenient", "balanced", "strict"])
    .default("balanced")
    .describe("lenient: self-votes count; balanced: no self-votes; strict: no self-votes, a reason required."),
  novelty: z.number().gt(0).max(1).default(0.9).describe("Reject an answer whose word-set Jaccard similarity to an existing one is above this."),
  max_answers_per_agent: z.int().min(1).default(3),
  presentation: z.boolean().default(true).describe("Does the winner write the final answer?"),
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})).describe("Seconds."),
  retry: retrySchema.default(retrySchema.parse({})),
});

/** The orchestrator of `conclave chat`: one model, shaped like an agent (its id names it in costs and logs). */
export const orchestratorSchema = z.strictObject({
  id: agentSchema.shape.id.default("orchestrator"),
  system: z.string().optional().describe("Added to the orchestrator's own prompt: the project's voice, house rules."),
  backend: backendSchema.default({ type: "auto" }),
});

/** How `conclave chat` (and any front end of a session) asks, remembers and spends. */
export const interactiveSchema = z.strictObject({
  require_approval: z
    .enum(["always", "above_usd", "never"])
    .default("above_usd")
    .describe("Ask before a run: always, when its estimate is above above_usd (or unknown), or never."),
  above_usd: z.number().min(0).default(0.5).describe("With require_approval: above_usd, the estimate (USD) above which a run is asked about."),
  max_context_tokens: z
    .int()
    .min(4000, "expected at least 4000: the orchestrator's instructions and tools alone take about 2,300 tokens")
    .default(24000)
    .describe("Past this estimate older messages are summarised; the raw messages stay on disk."),
  keep_recent: z.int().min(1).default(10).describe("Messages always kept verbatim in the orchestrator's context."),
  budget_usd: z.number().positive().optional().describe("Stop launching runs once the session (conversation and runs) has spent this much."),
});

export const configSchema = z
  .strictObject({
    agents: z.array(agentSchema).min(1, "expected at least one agent"),
    orchestrator: orchestratorSchema.default({ id: "orchestrator", backend: { type: "auto" } }),
    interactive: interactiveSchema.default(interactiveSchema.parse({})),
    coordination: coordinationSchema.default(coordinationSchema.parse({})),
    budget: z.strictObject({ usd: z.number().positive().optional() }).default({}),
    approval: z
      .strictObject({
        above_usd: z.number().min(0).optional().describe("Ask before a run whose estimated cost is above this (workflows)."),
      })
      .default({}),
    commands: z
      .strictObject({
        allow: z.array(z.string().min(1)).default([]).describe("Programs agents may run with run_command (no shell), e.g. node, npm, git."),
        deny: z.array(z.string().min(1)).default([]).describe("Programs never run, checked before allow."),
        sandbox: z
          .enum(["auto", "bwrap", "none"])
          .default("auto")
          .describe("auto: bubblewrap when it works here, else run_command is refused; bwrap: bubblewrap or refused; none: no boundary (said once per run)."),
        network: z.boolean().default(false).describe("Give sandboxed commands the host's network (default: none, not even loopback)."),
        env: z
          .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a variable name (letters, digits, _)"))
          .default([])
          .describe("Variable names passed to commands besides PATH, HOME (the workspace), LANG, TERM and TZ."),
      })
      .default({ allow: [], deny: [], sandbox: "auto", network: false, env: [] }),
    context: z
      .strictObject({
        max_mb: z
          .number()
          .positive()
          .default(1)
          .describe("The most a run's context may hold, in MB: CONTEXT.md, the listed files' contents and the run's own `context`."),
      })
      .default({ max_mb: 1 }),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.agents.forEach((agent, i) => {
      const first = seen.get(agent.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["agents", i, "id"],
          message: `duplicate agent id "${agent.id}" (agents[${first}] has it too); ids must be unique`,
        });
      } else seen.set(agent.id, i);
    });
  });

export type ConclaveConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type AgentConfig = z.output<typeof agentSchema>;
export type BackendConfig = z.output<typeof backendSchema>;
export type CoordinationConfig = z.output<typeof coordinationSchema>;
export type OrchestratorConfig = z.output<typeof orchestratorSchema>;
export type InteractiveConfig = z.output<typeof interactiveSchema>;
export type ScriptTurn = z.output<typeof scriptTurnSchema>;
export type FailKind = (typeof FAIL_KINDS)[number];
