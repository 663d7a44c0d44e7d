import type { BackendConfig } from "../config/config-schema.ts";
import type { CompletionRequest } from "./model.ts";

/**
 * The model a call uses: the agent's tier for the call's purpose, else its `model`, else the
 * backend's default.
 *
 * @example
 * modelFor({ type: "openai", model: "gpt-4.1", models: { voting: "gpt-4.1-mini" } }, "voting", "x") // "gpt-4.1-mini"
 */
export function modelFor(backend: BackendConfig, purpose: CompletionRequest["purpose"], fallback: string): string {
  return (purpose && backend.models?.[purpose]) || backend.model || fallback;
}
