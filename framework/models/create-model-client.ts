import type { Clock } from "../clock.ts";
import type { AgentConfig } from "../config/config-schema.ts";
import { ConfigError } from "../errors.ts";
import { createAnthropicClient } from "./anthropic/anthropic-client.ts";
import type { ModelClient } from "./model.ts";
import { createOpenAIClient } from "./openai/openai-client.ts";
import { redactUrls } from "./redact-secrets.ts";
import { createScriptedClient } from "./scripted/scripted-client.ts";

export type ConcreteBackend = "openai" | "anthropic" | "scripted";

/** The model each backend uses when neither the config's `model` nor CONCLAVE_MODEL names one. */
export const DEFAULT_MODELS = { openai: "gpt-4.1-mini", anthropic: "claude-sonnet-4-6" } as const;

/**
 * Which backend `type: auto` means here: ANTHROPIC_API_KEY → anthropic, OPENAI_API_KEY or
 * OPENAI_BASE_URL → openai, otherwise the offline scripted backend; `reason` says why.
 *
 * @example
 * resolveBackend("auto", {}) // { type: "scripted", reason: "no ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL is set" }
 */
export function resolveBackend(type: AgentConfig["backend"]["type"], env: NodeJS.ProcessEnv): { type: ConcreteBackend; reason: string } {
  if (type !== "auto") return { type, reason: `configured as ${type}` };
  if (env.ANTHROPIC_API_KEY) return { type: "anthropic", reason: "ANTHROPIC_API_KEY is set" };
  if (env.OPENAI_API_KEY) return { type: "openai", reason: "OPENAI_API_KEY is set" };
  if (env.OPENAI_BASE_URL) return { type: "openai", reason: "OPENAI_BASE_URL is set" };
  return { type: "scripted", reason: "no ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL is set" };
}

export interface ClientDeps {
  clock: Clock;
  env: NodeJS.ProcessEnv;
  /** Use the scripted backend whatever the config says (dry runs). */
  forceScripted?: boolean;
  /** Abort a stream silent for this long (coordination.timeouts.idle), in ms. */
  idleMs: number;
}

/**
 * Makes the ModelClient for one agent of one run. Throws ConfigError, before any call, when
 * a real backend lacks its key or model.
 */
export function createModelClient(agent: AgentConfig, deps: ClientDeps): ModelClient {
  const { env } = deps;
  const type = deps.forceScripted ? "scripted" : resolveBackend(agent.backend.type, env).type;
  const model = agent.backend.model ?? env.CONCLAVE_MODEL;
  if (type === "scripted") return createScriptedClient(agent.id, { ...agent.backend, ...(model && { model }) }, deps);

  const keyEnv = agent.backend.api_key_env ?? (type === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
  const apiKey = env[keyEnv] || undefined;
  const baseURL = agent.backend.base_url ?? (type === "anthropic" ? env.ANTHROPIC_BASE_URL : env.OPENAI_BASE_URL) ?? undefined;
  if (!apiKey && !(type === "openai" && baseURL)) {
    throw new ConfigError(
      `agent \`${agent.id}\` (${type}): no API key. Set \`${keyEnv}\`${agent.backend.api_key_env ? "" : " (or name another variable with `api_key_env`)"}, or pass --dry-run to run offline.`,
    );
  }
  if (!model && type === "openai" && baseURL) {
    throw new ConfigError(
      `agent \`${agent.id}\`: say which model the server at ${redactUrls(baseURL)} should run: set \`model\` in the config (e.g. llama3.1) or CONCLAVE_MODEL.`,
    );
  }
  const backend = { ...agent.backend, ...(model && { model }) };
  const maxToolArgumentBytes = toolArgumentCap(env);
  const common = { clock: deps.clock, apiKey, keyEnv, baseURL, idleMs: deps.idleMs, ...(maxToolArgumentBytes !== undefined && { maxToolArgumentBytes }) };
  return type === "anthropic"
    ? createAnthropicClient(agent.id, backend, { ...common, defaultModel: DEFAULT_MODELS.anthropic })
    : createOpenAIClient(agent.id, backend, { ...common, defaultModel: DEFAULT_MODELS.openai });
}

// CONCLAVE_MAX_TOOL_ARGS_MB: the cap on one tool call's streamed arguments, in megabytes.
function toolArgumentCap(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.CONCLAVE_MAX_TOOL_ARGS_MB;
  if (raw === undefined || raw === "") return undefined;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) {
    throw new ConfigError(`\`CONCLAVE_MAX_TOOL_ARGS_MB\` must be a positive number of megabytes, received "${raw}". Unset it for the default of 16.`);
  }
  return Math.round(mb * 1_000_000);
}
