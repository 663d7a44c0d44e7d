/**
 * Vitest globalSetup: one aimock (`@copilotkit/aimock` 1.43.0, class `LLMock`) on 127.0.0.1 with an
 * ephemeral port for the whole suite, scripted so a 3-agent Conclave run completes through both
 * `POST /v1/chat/completions` (OpenAI) and `POST /v1/messages` (Anthropic), streamed or not.
 * Tests read its base URL with `inject("aimockUrl")`: OpenAI clients use `${url}/v1`, Anthropic `url`.
 *
 * What aimock can do (read from its README and dist/*.d.ts, checked against both SDKs):
 * - Match a fixture on a substring or RegExp of the last user message's text (`userMessage`), the
 *   system text (`systemMessage`, `system` role only; a `developer` message is not system text),
 *   an offered tool (`toolName`), the model, or any `predicate(req)`. The first matching fixture wins.
 * - Answer with a function of the request (`ResponseFactory`), so replies can depend on the persona
 *   and on the answers shown. Anthropic requests reach matchers and factories converted to the
 *   OpenAI chat shape: `system` becomes a system message, text blocks of one message are joined.
 * - Stream both wire formats, splitting text and tool arguments into `chunkSize` pieces; send
 *   the OpenAI usage chunk when `stream_options.include_usage` is set (estimated at ~4 characters a
 *   token unless the fixture overrides `usage`); Anthropic usage is 0/0 unless overridden.
 * - Errors: an error fixture or `nextRequestError(status, body)` answers in the provider's error
 *   shape (`{ error: {...} }` / `{ type: "error", error: {...} }`); a 429 carries `Retry-After`
 *   (`retryAfter`, default 1) and OpenAI's `x-ratelimit-*` headers.
 * - Faults: per fixture `truncateAfterChunks` / `disconnectAfterMs` destroy the socket mid-stream;
 *   `latency` / `streamingProfile` (`ttft`, `tps`) slow it down; `chaos` rates (`dropRate`,
 *   `malformedRate`, `rateLimitRate`, `disconnectRate`, 0..1, so 1 is deterministic) and `latencyMs`.
 *   The chaos 500/429 bodies are OpenAI-shaped even on `/v1/messages`.
 * - A request journal (`getRequests()`; Anthropic bodies appear converted), `reset()`, `resetMatchCounts()`.
 *   A request no fixture matches gets a 404 `no_fixture_match` (503 with `strict: true`).
 *
 * What it cannot do (use test/support/fake-llm-server.ts for these):
 * - Report cached tokens: no `prompt_tokens_details` on `/v1/chat/completions` (OpenRouter paths
 *   only) and no `cache_read_input_tokens` / `cache_creation_input_tokens` on `/v1/messages`.
 * - Send an in-stream error event (Anthropic `event: error`, OpenAI `data: {"error":...}`).
 * - Stall with the socket held open (only a finite `latency` / `ttft`), or count clients that hang
 *   up (it ignores a client's close and keeps writing).
 * - Send arbitrary headers on an error (only `Retry-After` on a 429), or invalid tool-argument JSON
 *   on `/v1/messages` (it re-serialises the arguments, sending `{}` for text that does not parse).
 * - Tell a factory which endpoint was hit (both arrive as `_endpointType: "chat"`). `finishReason`
 *   passes through once stop/tool_calls/length are mapped, so a refusal needs the provider's own
 *   word (`content_filter` / `refusal`) in fixtures told apart some other way, e.g. by model.
 */
import { LLMock, type ChatCompletionRequest } from "@copilotkit/aimock";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    aimockUrl: string;
  }
}

/** What Conclave asks for in each phase (see framework/coordination/prompts.ts). */
export const CONCLAVE_PROMPTS = {
  generation: "post it with the `new_answer` tool",
  voting: "# Answers so far",
  presentation: "Write the final answer to the task",
} as const;

/**
 * An aimock scripted for Conclave's three phases; not started.
 *
 * @example
 * const mock = createConclaveAimock();
 * const url = await mock.start();
 * await mock.stop();
 */
export function createConclaveAimock(): LLMock {
  const mock = new LLMock({ host: "127.0.0.1", port: 0, chunkSize: 8, logLevel: "silent" });
  // Most specific first: the presentation prompt also shows "# Answers so far", and the voting
  // prompt may also invite a better answer "with the `new_answer` tool".
  mock.on({ userMessage: CONCLAVE_PROMPTS.presentation }, (req) =>
    withUsage(req, { content: `Final answer: ${answerText(req)}` }),
  );
  mock.on({ userMessage: CONCLAVE_PROMPTS.voting, toolName: "vote" }, (req) =>
    withUsage(req, { toolCalls: [{ name: "vote", arguments: JSON.stringify({ answer: voteLabel(req), reason: "clear and complete" }) }] }),
  );
  mock.on({ userMessage: CONCLAVE_PROMPTS.generation, toolName: "new_answer" }, (req) =>
    withUsage(req, { toolCalls: [{ name: "new_answer", arguments: JSON.stringify({ content: answerText(req) }) }] }),
  );
  return mock;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mock = createConclaveAimock();
  project.provide("aimockUrl", await mock.start());
  return () => mock.stop();
}

// The text of every message with the given roles, joined.
function textOf(req: ChatCompletionRequest, roles: string[]): string {
  return req.messages
    .filter((m) => roles.includes(m.role))
    .map((m) => (typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text ?? "").join("")))
    .join("\n");
}

// An answer that differs by persona: "You are a careful reviewer…" answers as "a careful reviewer…".
function answerText(req: ChatCompletionRequest): string {
  const persona = /You are ([^.\n]+)/.exec(textOf(req, ["system", "developer"]))?.[1] ?? "an expert";
  return `Written as ${persona}: start with the simplest design that works, measure it, then improve what the numbers show.`;
}

// The first label the voter may choose that is not its own ("Answer B (yours)" → A).
function voteLabel(req: ChatCompletionRequest): string {
  const text = textOf(req, ["user"]);
  const own = /Answer ([A-Z]) \(yours\)/.exec(text)?.[1];
  const offered = /one of ([A-Z](?:, [A-Z])*)\)/.exec(text)?.[1]?.split(", ") ?? ["A", "B"];
  return offered.find((label) => label !== own) ?? (own === "A" ? "B" : "A");
}

// Adds usage estimated at ~4 characters a token; `input_tokens`/`output_tokens` serve both endpoints.
function withUsage<T extends { content?: string; toolCalls?: { arguments: string }[] }>(req: ChatCompletionRequest, reply: T) {
  const output = (reply.content ?? "") + (reply.toolCalls ?? []).map((c) => c.arguments).join("");
  const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
  return { ...reply, usage: { input_tokens: tokens(textOf(req, ["system", "developer", "user", "assistant", "tool"])), output_tokens: tokens(output) } };
}
