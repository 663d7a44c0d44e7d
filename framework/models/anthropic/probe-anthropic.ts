import Anthropic from "@anthropic-ai/sdk";
import type { ProbeOutcome, ProbeTarget } from "../probe-model.ts";
import { outcomeOfStatus } from "../probe-model.ts";
import { redactSecrets, secretsOf } from "../redact-secrets.ts";
import { createScrubbingLogger } from "../scrubbing-logger.ts";

/**
 * probeModel() for the `anthropic` backend: `GET /v1/models`, then a one-token Message.
 *
 * @example
 * await probeAnthropic({ apiKey: "sk-ant-…", baseURL: undefined, model: "claude-sonnet-4-6", timeoutMs: 5000 });
 */
export async function probeAnthropic(target: ProbeTarget): Promise<ProbeOutcome> {
  const secrets = secretsOf(target.apiKey, target.baseURL);
  const sdk = new Anthropic({
    apiKey: target.apiKey ?? null,
    ...(target.baseURL !== undefined && { baseURL: target.baseURL }),
    maxRetries: 0,
    timeout: target.timeoutMs,
    logger: createScrubbingLogger("anthropic", secrets),
  });
  const failure = (error: unknown) =>
    outcomeOfStatus(error instanceof Anthropic.APIError ? error.status : undefined, redactSecrets((error as Error).message, secrets));
  try {
    const page = await sdk.models.list({ limit: 1000 });
    if (page.data.some((m) => m.id === target.model)) return { kind: "ok", how: "listed" };
  } catch (error) {
    const outcome = failure(error);
    if (outcome.kind === "unreachable" || outcome.kind === "key-rejected") return outcome;
    // a server without a models endpoint: ask the model itself
  }
  try {
    await sdk.messages.create({ model: target.model, max_tokens: 1, messages: [{ role: "user", content: "Say ok." }] });
    return { kind: "ok", how: "answered" };
  } catch (error) {
    return failure(error);
  }
}
