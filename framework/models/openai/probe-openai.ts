import OpenAI from "openai";
import type { ProbeOutcome, ProbeTarget } from "../probe-model.ts";
import { outcomeOfStatus } from "../probe-model.ts";
import { redactSecrets, secretsOf } from "../redact-secrets.ts";
import { createScrubbingLogger } from "../scrubbing-logger.ts";

/**
 * probeModel() for the `openai` backend: `GET /models`, then a one-token Chat Completion.
 *
 * @example
 * await probeOpenAI({ apiKey: "sk-…", baseURL: undefined, model: "gpt-4.1-mini", timeoutMs: 5000 });
 */
export async function probeOpenAI(target: ProbeTarget): Promise<ProbeOutcome> {
  const secrets = secretsOf(target.apiKey, target.baseURL);
  const sdk = new OpenAI({
    apiKey: target.apiKey ?? "no-key",
    ...(target.baseURL !== undefined && { baseURL: target.baseURL }),
    maxRetries: 0,
    timeout: target.timeoutMs,
    logger: createScrubbingLogger("openai", secrets),
  });
  const failure = (error: unknown) =>
    outcomeOfStatus(error instanceof OpenAI.APIError ? error.status : undefined, redactSecrets((error as Error).message, secrets));
  try {
    const page = await sdk.models.list();
    if (page.data.some((m) => m.id === target.model)) return { kind: "ok", how: "listed" };
  } catch (error) {
    const outcome = failure(error);
    if (outcome.kind === "unreachable" || outcome.kind === "key-rejected") return outcome;
    // a server without a models endpoint: ask the model itself
  }
  try {
    // Compatible servers know max_tokens; OpenAI's newer models only max_completion_tokens.
    const limit = target.baseURL !== undefined ? { max_tokens: 1 } : { max_completion_tokens: 1 };
    await sdk.chat.completions.create({ model: target.model, messages: [{ role: "user", content: "Say ok." }], ...limit });
    return { kind: "ok", how: "answered" };
  } catch (error) {
    return failure(error);
  }
}
