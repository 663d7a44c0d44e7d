import type { Clock } from "../clock.ts";
import type { AgentConfig } from "../config/config-schema.ts";
import { ConfigError } from "../errors.ts";
import { lazyModelClient } from "./lazy-model-client.ts";
import type { ModelClient } from "./model.ts";
import { redactUrls } from "./redact-secrets.ts";
import { DEFAULT_MODELS, resolveBackend, resolveConnection } from "./resolve-backend.ts";
import { createScriptedClient } from "./scripted/scripted-client.ts";

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
 * a real backend lacks its key or model. A provider's SDK is loaded on the client's first call
 * (lazy-model-client.ts), so a process that never calls that provider never loads it.
 *
 * @example
 * const client = createModelClient(agent, { clock: systemClock, env: process.env, idleMs: 60_000 });
 */
export function createModelClient(agent: AgentConfig, deps: ClientDeps): ModelClient {
  const { env } = deps;
  const type = deps.forceScripted ? "scripted" : resolveBackend(agent.backend.type, env).type;
  const model = agent.backend.model ?? env.CONCLAVE_MODEL;
  if (type === "scripted") return createScriptedClient(agent.id, { ...agent.backend, ...(model && { model }) }, deps);

  const { keyEnv, apiKey, baseURL } = resolveConnection(agent, type, env);
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
  const defaultModel = DEFAULT_MODELS[type];
  return lazyModelClient(type, backend.model ?? defaultModel, async () =>
    type === "anthropic"
      ? (await import("./anthropic/anthropic-client.ts")).createAnthropicClient(agent.id, backend, { ...common, defaultModel })
      : (await import("./openai/openai-client.ts")).createOpenAIClient(agent.id, backend, { ...common, defaultModel }),
  );
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
