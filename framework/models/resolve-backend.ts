import type { AgentConfig } from "../config/config-schema.ts";

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

/** Where a real backend's calls go and with which key; an empty variable counts as unset. */
export interface Connection {
  /** The variable that holds the key: `api_key_env`, else the backend's own. */
  keyEnv: string;
  apiKey: string | undefined;
  /** `base_url`, else ANTHROPIC_BASE_URL / OPENAI_BASE_URL; undefined for the provider's own server. */
  baseURL: string | undefined;
}

/**
 * The key and server of an agent on a real backend, read the one way both the clients and
 * `conclave doctor` use.
 *
 * @example
 * resolveConnection({ id: "a", backend: { type: "openai" } }, "openai", { OPENAI_API_KEY: "sk-…" });
 * // { keyEnv: "OPENAI_API_KEY", apiKey: "sk-…", baseURL: undefined }
 */
export function resolveConnection(agent: AgentConfig, type: Exclude<ConcreteBackend, "scripted">, env: NodeJS.ProcessEnv): Connection {
  const keyEnv = agent.backend.api_key_env ?? (type === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
  const baseURL = agent.backend.base_url ?? (type === "anthropic" ? env.ANTHROPIC_BASE_URL : env.OPENAI_BASE_URL);
  return { keyEnv, apiKey: env[keyEnv] || undefined, baseURL: baseURL || undefined };
}
