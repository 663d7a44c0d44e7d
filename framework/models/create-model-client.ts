import type { Clock } from "../clock.ts";
import type { AgentConfig } from "../config/config-schema.ts";
import { ConfigError } from "../errors.ts";
import type { ModelClient } from "./model.ts";
import { createScriptedClient } from "./scripted/scripted-client.ts";

export type ConcreteBackend = "openai" | "anthropic" | "scripted";

/**
 * Which backend `type: auto` means here: ANTHROPIC_API_KEY → anthropic, OPENAI_API_KEY or
 * OPENAI_BASE_URL → openai, otherwise the offline scripted backend; `reason` says why.
 *
 * @example
 * resolveBackend("auto", {}) // { type: "scripted", reason: "no ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL set" }
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
}

/** Makes the ModelClient for one agent of one run. */
export function createModelClient(agent: AgentConfig, deps: ClientDeps): ModelClient {
  const type = deps.forceScripted ? "scripted" : resolveBackend(agent.backend.type, deps.env).type;
  if (type === "scripted") return createScriptedClient(agent.id, agent.backend, deps);
  throw new ConfigError(
    `agent \`${agent.id}\`: the \`${type}\` backend is not available in this version of Conclave. ` +
      `Use \`backend: { type: scripted }\`, pass --dry-run, or unset the API key variables so \`type: auto\` runs offline.`,
  );
}
