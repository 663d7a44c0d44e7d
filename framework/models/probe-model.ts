import type { ConcreteBackend } from "./resolve-backend.ts";

/** Where and how to ask one model whether it answers. */
export interface ProbeTarget {
  apiKey: string | undefined;
  baseURL: string | undefined;
  model: string;
  /** Give up on each request after this long, in ms. */
  timeoutMs: number;
}

/**
 * What a probe found: the model is there (`listed` by the server's models endpoint, or it
 * `answered` a one-token request), or what stood in the way, with the server's own words
 * (credentials removed).
 */
export type ProbeOutcome =
  | { kind: "ok"; how: "listed" | "answered" }
  | { kind: "unreachable" | "key-rejected" | "model-not-found" | "failed"; detail: string };

/**
 * Asks a real backend whether `target.model` is ready: first the server's models endpoint,
 * then, when the model is not listed there (or the server lists nothing), a one-token
 * request. Each request gives up after `timeoutMs`. The SDK is loaded only when called.
 *
 * @example
 * await probeModel("openai", { apiKey: undefined, baseURL: "http://127.0.0.1:11434/v1", model: "llama3.1", timeoutMs: 5000 });
 * // { kind: "ok", how: "listed" }
 */
export async function probeModel(backend: Exclude<ConcreteBackend, "scripted">, target: ProbeTarget): Promise<ProbeOutcome> {
  if (backend === "anthropic") {
    const { probeAnthropic } = await import("./anthropic/probe-anthropic.ts");
    return probeAnthropic(target);
  }
  const { probeOpenAI } = await import("./openai/probe-openai.ts");
  return probeOpenAI(target);
}

/**
 * The outcome of a failed SDK request, from its HTTP status (none: the server was not reached).
 *
 * @example
 * outcomeOfStatus(401, "Incorrect API key") // { kind: "key-rejected", detail: "401 Incorrect API key" }
 */
export function outcomeOfStatus(status: number | undefined, message: string): Exclude<ProbeOutcome, { kind: "ok" }> {
  if (status === undefined) return { kind: "unreachable", detail: message };
  const detail = `${status} ${message.replace(/^\d{3}\s+/, "")}`;
  if (status === 401 || status === 403) return { kind: "key-rejected", detail };
  if (status === 404) return { kind: "model-not-found", detail };
  return { kind: "failed", detail };
}
