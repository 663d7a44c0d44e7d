import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../framework/clock.ts";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { run } from "../../framework/runs/run.ts";
import { startFakeLlmServer, type FakeErrorReply, type FakeLlmServer, type FakeReply } from "../support/fake-llm-server.ts";
import { readRun } from "../support/scripted-run.ts";

// The README's failure table ("Real models"), row by row, through run() on the real clock: alpha calls the
// loopback fake with the row's fault, beta is scripted so the run can go on without alpha.
// Attempts are counted at the server; a request belongs to the turn whose tools it offers.

const ENV = { OPENAI_API_KEY: "test-key", ANTHROPIC_API_KEY: "test-key" };
const RETRIES = 2;
const COORDINATION = {
  max_rounds: 2,
  retry: { attempts: RETRIES, base_delay: 0.01, max_delay: 0.05, max_retry_after: 1 },
  timeouts: { run: 30, generation: 5, voting: 5, presentation: 5, call: 5, idle: 0.3 },
} satisfies ConfigInput["coordination"];

interface Backend {
  type: "openai" | "anthropic";
  model: string;
  path: string;
  keyEnv: string;
  /** The `base_url` an agent of this backend uses for a server at `url`. */
  baseUrl(url: string): string;
}

const OPENAI: Backend = { type: "openai", model: "gpt-4.1-mini", path: "/v1/chat/completions", keyEnv: "OPENAI_API_KEY", baseUrl: (url) => `${url}/v1` };
const ANTHROPIC: Backend = { type: "anthropic", model: "claude-sonnet-4-6", path: "/v1/messages", keyEnv: "ANTHROPIC_API_KEY", baseUrl: (url) => url };

let server: FakeLlmServer;
/** A loopback URL where nothing listens (a fake started, then closed). */
let deadUrl: string;
const runsDirs: string[] = [];

beforeAll(async () => {
  server = await startFakeLlmServer();
  const dead = await startFakeLlmServer();
  deadUrl = dead.url;
  await dead.close();
});
afterAll(async () => {
  await server.close();
  for (const dir of runsDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

type Turn = "generation" | "voting" | "presentation";

// Which of alpha's turns a request belongs to, read off the tools it offers (both wire formats).
function turnOf(body: unknown): Turn {
  const tools = ((body as { tools?: { name?: string; function?: { name: string } }[] }).tools ?? []).map((t) => t.function?.name ?? t.name);
  if (tools.includes("vote")) return "voting";
  return tools.includes("new_answer") ? "generation" : "presentation";
}

/** Runs alpha (the fake, giving `replies` in order) and beta (scripted); returns what a user and the fake saw. */
async function runWithAlpha(backend: Backend, replies: FakeReply[], options: { url?: string; idle?: number } = {}) {
  server.enqueue(...replies);
  const runsDir = mkdtempSync(join(tmpdir(), "conclave-failure-table-"));
  runsDirs.push(runsDir);
  const config: ConfigInput = {
    agents: [
      { id: "alpha", backend: { type: backend.type, model: backend.model, base_url: backend.baseUrl(options.url ?? server.url) } },
      { id: "beta", backend: { type: "scripted" } },
    ],
    coordination: options.idle === undefined ? COORDINATION : { ...COORDINATION, timeouts: { ...COORDINATION.timeouts, idle: options.idle } },
  };
  const result = await run({ task: "Design a cache for the API", config, runsDir, env: ENV, clock: systemClock });
  const files = readRun(result.log_dir);
  const requests = server.requests.filter((r) => r.path === backend.path);
  return {
    result,
    files,
    total: server.counts[backend.path] ?? 0,
    turns: (turn: Turn) => requests.filter((r) => turnOf(r.body) === turn),
    alphaEvents: (type: string) => files.events.filter((e) => e.type === type && e.agentId === "alpha"),
  };
}

const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);
const who = (b: Backend) => `agent \`alpha\` (${b.type} ${b.model})`;
const error = (status: number, rest: Omit<FakeErrorReply["error"], "status"> = {}): FakeErrorReply => ({ error: { status, ...rest } });
const VOTE_FOR_BETA: FakeReply = { toolCalls: [{ name: "vote", arguments: '{"answer":"B","reason":"r"}' }] };
const ANSWER: FakeReply = { toolCalls: [{ name: "new_answer", arguments: '{"content":"Cache reads in Redis with a TTL per key."}' }] };
const INVALID_ANSWER: FakeReply = { toolCalls: [{ name: "new_answer", arguments: '{"content": "abc' }] };
const INVALID_PROBLEM = 'The arguments of `new_answer` were not valid JSON: "{\\"content\\": \\"abc". Call `new_answer` again with a JSON object.';

// STYLE: every message says what to do. The ADVICE sentences of classify-error.ts all use one of these.
const SAYS_WHAT_TO_DO = /\b(try again|check|raise|increase|set|use|shorten|rephrase|wait)\b/i;

/** A message a user reads about alpha: it names the agent, the backend and the model, and says what to do. */
function expectActionable(message: string | null | undefined, b: Backend): void {
  expect(message).toContain(who(b));
  expect(message).toMatch(SAYS_WHAT_TO_DO);
}

/** One row of the table: the fault for one backend, and alpha's final error exactly as a user reads it. */
interface Row {
  name: string;
  fault: (b: Backend) => FakeReply;
  kind: string;
  message: (b: Backend) => string;
  /** Responses the client abandons (every aborted stall). */
  disconnects?: number;
}

const RETRIED_ROWS: Row[] = [
  {
    name: "429 with retry-after: 0",
    fault: () => error(429, { message: "Rate limit reached for requests", headers: { "retry-after": "0" } }),
    kind: "rate_limit",
    message: (b) => `${who(b)}: HTTP 429 rate limit: Rate limit reached for requests. Still rate-limited after the retries: run fewer agents at once, wait, or raise \`coordination.retry\`.`,
  },
  {
    name: "500",
    fault: () => error(500, { message: "The server had an error while processing your request." }),
    kind: "server",
    message: (b) => `${who(b)}: HTTP 500 server: The server had an error while processing your request. The provider failed after the retries: try again later.`,
  },
  {
    name: "529 overloaded",
    fault: () => error(529, { message: "Overloaded" }),
    kind: "overloaded",
    message: (b) => `${who(b)}: HTTP 529 overloaded: Overloaded. The provider is overloaded: try again later.`,
  },
  {
    name: "a connection reset after chunk 2",
    fault: () => ({ text: "a partial answer that never ends", resetAfterChunk: 2 }),
    kind: "stream",
    message: (b) => `${who(b)}: the stream broke off: terminated. The reply broke off mid-stream and was not used: check the network, or try again later.`,
  },
  {
    name: "a stall after chunk 1 (idle 0.3 s)",
    fault: () => ({ text: "a partial answer that never ends", stallAfterChunk: 1 }),
    kind: "idle_timeout",
    message: (b) => `${who(b)}: no data for 0.3 s (\`coordination.timeouts.idle\`); the call was aborted. Raise \`coordination.timeouts.idle\` for slow models, or try again later.`,
    disconnects: 2 * (1 + RETRIES),
  },
  {
    name: "an error event in the stream",
    fault: () => ({ text: "a partial answer that never ends", midStreamError: 2 }),
    // The provider's overloaded_error event keeps its kind.
    kind: "overloaded",
    message: (b) => `${who(b)}: the stream broke off: Overloaded. The provider is overloaded: try again later.`,
  },
];

const NOT_RETRIED_ROWS: Row[] = [
  {
    name: "a spend limit (OpenAI: 429 insufficient_quota; Anthropic: 400 credit balance too low)",
    fault: (b) =>
      b.type === "openai"
        ? error(429, { type: "insufficient_quota", code: "insufficient_quota", message: "You exceeded your current quota, please check your plan and billing details." })
        : error(400, { message: "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits." }),
    kind: "spend_limit",
    message: (b) =>
      b.type === "openai"
        ? `${who(b)}: HTTP 429 spend limit: You exceeded your current quota, please check your plan and billing details. The account is out of credit or over its spend limit: add credit or raise the limit.`
        : `${who(b)}: HTTP 400 spend limit: Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits. The account is out of credit or over its spend limit: add credit or raise the limit.`,
  },
  {
    name: "400 bad request",
    fault: () => error(400, { message: "Invalid value for 'temperature': expected a number." }),
    kind: "bad_request",
    message: (b) =>
      `${who(b)}: HTTP 400 bad request: Invalid value for 'temperature': expected a number. The provider refused the request: check \`model\` (${b.model}), \`max_tokens\` and \`temperature\` for this agent.`,
  },
  {
    name: "400 context too long (OpenAI: code context_length_exceeded; Anthropic: prompt is too long)",
    fault: (b) =>
      b.type === "openai"
        ? error(400, { code: "context_length_exceeded", message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 250000 tokens." })
        : error(400, { message: "prompt is too long: 250000 tokens > 200000 maximum" }),
    kind: "context_length",
    message: (b) =>
      `${who(b)}: HTTP 400 context length: ${
        b.type === "openai" ? "This model's maximum context length is 128000 tokens. However, your messages resulted in 250000 tokens" : "prompt is too long: 250000 tokens > 200000 maximum"
      }. The prompt is longer than the model's context: use a model with a larger context, or shorten the task and context.`,
  },
  {
    name: "401 that echoes the key back",
    fault: () => error(401, { code: "invalid_api_key", message: "Incorrect API key provided: test-key." }),
    kind: "auth",
    message: (b) => `${who(b)}: HTTP 401 auth: Incorrect API key provided: ***. Check the API key in \`${b.keyEnv}\` (or set \`api_key_env\` for this agent).`,
  },
  {
    name: "401 whose body's message is an object, not a string",
    fault: () => error(401, { body: '{"error":{"message":{"x":1}}}' }),
    kind: "auth",
    message: (b) => `${who(b)}: HTTP 401 auth: {"x":1}. Check the API key in \`${b.keyEnv}\` (or set \`api_key_env\` for this agent).`,
  },
  {
    name: "400 whose body's message is a number",
    fault: () => error(400, { body: '{"error":{"message":42}}' }),
    kind: "bad_request",
    message: (b) =>
      `${who(b)}: HTTP 400 bad request: 42. The provider refused the request: check \`model\` (${b.model}), \`max_tokens\` and \`temperature\` for this agent.`,
  },
  {
    name: "401 in text/plain that echoes the key back",
    fault: () => error(401, { body: "Incorrect API key provided: test-key", contentType: "text/plain" }),
    kind: "auth",
    message: (b) => `${who(b)}: HTTP 401 auth: Incorrect API key provided: ***. Check the API key in \`${b.keyEnv}\` (or set \`api_key_env\` for this agent).`,
  },
  {
    name: "403",
    fault: (b) => error(403, { message: `Project \`proj_test\` does not have access to model \`${b.model}\`.` }),
    kind: "permission",
    message: (b) =>
      `${who(b)}: HTTP 403 permission: Project \`proj_test\` does not have access to model \`${b.model}\`. The key may not use \`${b.model}\`: check the model name and the key's project or workspace.`,
  },
];

describe.each([OPENAI, ANTHROPIC])("the failure table through run() with $type", (backend) => {
  it.each(RETRIED_ROWS)("retries $name twice per turn, then fails alpha while the run completes with beta", async (row) => {
    // The fault repeats for every request: a retryable failure keeps alpha in the run, so it
    // fails its generation turn (1 + 2 retries) and then its voting turn the same way.
    const { result, files, turns, total, alphaEvents } = await runWithAlpha(backend, times(2 * (1 + RETRIES), row.fault(backend)));

    expect(turns("generation")).toHaveLength(1 + RETRIES);
    expect(turns("voting")).toHaveLength(1 + RETRIES);
    expect(total).toBe(2 * (1 + RETRIES));
    expect(result).toMatchObject({ status: "completed", winner: "beta" });
    expect(result.agents.alpha).toMatchObject({ status: "failed", answers: 0, error: row.message(backend) });
    expect(files.status.agents.alpha.error).toBe(row.message(backend));
    expect(alphaEvents("run.agent.retry").map((e) => [e.round, e.attempt])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]]);
    expect(alphaEvents("run.agent.failed").map((e) => [e.round, e.kind, e.retryable])).toEqual([[1, row.kind, true], [2, row.kind, true]]);
    await vi.waitFor(() => expect(server.disconnects).toBe(row.disconnects ?? 0), { timeout: 2_000, interval: 10 });
  });

  it.each(NOT_RETRIED_ROWS)("fails alpha on $name after exactly one request in the whole run", async (row) => {
    // A failure no retry can fix puts alpha out: it is not called again in the voting round.
    const { result, files, total, alphaEvents } = await runWithAlpha(backend, [row.fault(backend), VOTE_FOR_BETA]);

    expect(total).toBe(1);
    expect(result).toMatchObject({ status: "completed", winner: "beta" });
    expect(result.agents.alpha).toMatchObject({ status: "failed", answers: 0, error: row.message(backend) });
    expect(files.status.agents.alpha.error).toBe(row.message(backend));
    expectActionable(result.agents.alpha!.error, backend);
    expect(alphaEvents("run.agent.retry")).toEqual([]);
    expect(alphaEvents("run.agent.failed").map((e) => [e.round, e.kind, e.retryable])).toEqual([[1, row.kind, false]]);
  });

  it("aborts a stream whose tool arguments pass 16 MB after one request, and fails alpha with a message naming the cap", async () => {
    const huge: FakeReply = { toolCalls: [{ name: "new_answer", arguments: `{"content":"${"x".repeat(40_000_000)}"}` }], chunkSize: 1_000_000 };
    // 1 MB chunks parse slowly on a loaded machine: an idle timeout of 5 s keeps a stall from being what ends the stream.
    const { result, total, alphaEvents } = await runWithAlpha(backend, [huge, VOTE_FOR_BETA], { idle: 5 });

    const message = `${who(backend)}: tool arguments over 16 MB: the reply's \`new_answer\` call streamed more than 16000000 bytes of arguments, so the stream was aborted and the reply not used. Ask for smaller steps (a large file in several writes), or raise \`CONCLAVE_MAX_TOOL_ARGS_MB\`.`;
    expect(total).toBe(1);
    expect(result).toMatchObject({ status: "completed", winner: "beta" });
    expect(result.agents.alpha).toMatchObject({ status: "failed", answers: 0, error: message });
    expect(alphaEvents("run.agent.failed").map((e) => [e.round, e.kind, e.retryable])).toEqual([[1, "bad_request", false]]);
    // The client hung up mid-stream: the fake never finished writing the 40 MB.
    await vi.waitFor(() => expect(server.disconnects).toBe(1), { timeout: 5_000, interval: 10 });
  });

  it("retries an unreachable base_url twice per turn, then fails alpha with kind connection", async () => {
    const { result, alphaEvents } = await runWithAlpha(backend, [], { url: deadUrl });

    const reached = backend.type === "openai" ? `${deadUrl}/v1` : deadUrl;
    const message = `${who(backend)}: connection: Connection error. Could not reach ${reached}: check \`base_url\` and the network.`;
    expect(result).toMatchObject({ status: "completed", winner: "beta" });
    expect(result.agents.alpha).toMatchObject({ status: "failed", answers: 0, error: message });
    expect(alphaEvents("run.agent.retry").map((e) => [e.round, e.attempt])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]]);
    expect(alphaEvents("run.agent.failed").map((e) => [e.round, e.kind])).toEqual([[1, "connection"], [2, "connection"]]);
  });

  it.each([
    { header: "retry-after", value: "0.2", delayMs: 200 },
    { header: "retry-after-ms", value: "150", delayMs: 150 },
    { header: "retry-after", value: "5", delayMs: 1_000 }, // capped at coordination.retry.max_retry_after
  ])("waits $delayMs ms after a 429 with $header: $value, then alpha answers", async ({ header, value, delayMs }) => {
    const { result, turns, total, alphaEvents } = await runWithAlpha(backend, [
      error(429, { message: "Rate limit reached for requests", headers: { [header]: value } }),
      ANSWER,
      VOTE_FOR_BETA,
    ]);

    const [first, second] = turns("generation");
    expect(turns("generation")).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(delayMs - 10);
    expect(total).toBe(3);
    expect(alphaEvents("run.agent.retry")).toMatchObject([{ round: 1, attempt: 1, delay_ms: delayMs }]);
    expect(result.agents.alpha).toMatchObject({ status: "voted", answers: 1, error: null });
    // Both answered in round 1 and each voted for the other: beta answered first.
    expect(result).toMatchObject({ status: "completed", winner: "beta", winner_reason: "tie 1-1 broken by earliest answer" });
  });

  it("records a reply cut off at max_tokens as alpha's outcome, after one request", async () => {
    const truncated: FakeReply = { toolCalls: [{ name: "new_answer", arguments: '{"content": "Cache reads in Redis with a TT' }], stopReason: "max_tokens" };
    const { result, total, alphaEvents } = await runWithAlpha(backend, [truncated, VOTE_FOR_BETA]);

    expect(total).toBe(1);
    expect(result).toMatchObject({ status: "completed", winner: "beta" });
    expect(result.agents.alpha).toMatchObject({ status: "failed", answers: 0, error: `${who(backend)}: the reply was cut off at max_tokens. The partial reply was not used: raise \`max_tokens\` for this agent.` });
    expect(alphaEvents("run.agent.failed").map((e) => [e.round, e.kind, e.retryable])).toEqual([[1, "truncated", false]]);
  });

  it("records a refusal as alpha's outcome, after one request", async () => {
    const { result, total, alphaEvents } = await runWithAlpha(backend, [{ text: "I can't help with that.", stopReason: "refusal" }, VOTE_FOR_BETA]);

    expect(total).toBe(1);
    expect(result).toMatchObject({ status: "completed", winner: "beta" });
    expect(result.agents.alpha).toMatchObject({ status: "failed", answers: 0, error: `${who(backend)}: the model refused to answer. Rephrase the task, or use another model for this agent.` });
    expect(alphaEvents("run.agent.failed").map((e) => [e.round, e.kind, e.retryable])).toEqual([[1, "refusal", false]]);
  });

  it("gives a new_answer with invalid JSON one repair turn, whose request tells alpha what was wrong", async () => {
    const { result, turns, total, alphaEvents } = await runWithAlpha(backend, [INVALID_ANSWER, ANSWER, VOTE_FOR_BETA]);

    expect(turns("generation")).toHaveLength(2);
    expect(total).toBe(3);
    expect(alphaEvents("run.agent.tool_call")).toMatchObject([{ round: 1, name: "new_answer", ok: false, error: INVALID_PROBLEM }]);
    const repair = turns("generation")[1]!.body as { messages: unknown[] };
    if (backend.type === "openai") {
      expect(repair.messages.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ function: { name: "new_answer", arguments: '{"content": "abc' } }] });
      expect(repair.messages.at(-1)).toMatchObject({ role: "tool", content: `Error: ${INVALID_PROBLEM}` });
    } else {
      expect(repair.messages.at(-2)).toMatchObject({ role: "assistant", content: [{ type: "tool_use", name: "new_answer" }] });
      expect(repair.messages.at(-1)).toMatchObject({ role: "user", content: [{ type: "tool_result", content: `Error: ${INVALID_PROBLEM}` }] });
    }
    expect(result.agents.alpha).toMatchObject({ status: "voted", answers: 1, error: null });
    expect(result).toMatchObject({ status: "completed", winner: "beta" });
  });

  it("fails alpha after two invalid replies in a row, with exactly two requests", async () => {
    const { result, total, alphaEvents } = await runWithAlpha(backend, [INVALID_ANSWER, INVALID_ANSWER, VOTE_FOR_BETA]);

    expect(total).toBe(2);
    expect(alphaEvents("run.agent.tool_call").map((e) => e.ok)).toEqual([false, false]);
    expect(result.agents.alpha).toMatchObject({ status: "failed", answers: 0, error: `${who(backend)} made an invalid reply twice; the second: ${INVALID_PROBLEM} Check that this model can call tools, or use another model for this agent.` });
    expect(result).toMatchObject({ status: "completed", winner: "beta" });
  });
});

// Known gaps, one test each, marked it.fails until the framework is fixed (see the comment on each).
describe.each([OPENAI, ANTHROPIC])("what a user reads when alpha fails, with $type", (backend) => {
  // BUG (STYLE "Every message says ... what to do"; docs/architecture.md §5): these final messages name no
  // remedy, and the last three omit the backend (truncated/refusal: agent-actor.ts:65 uses
  // `(${client.model})`; invalid-twice: agent-actor.ts:74 names no model at all). ADVICE in
  // classify-error.ts:20 has no entry for stream or idle_timeout, and stream-call.ts:40,45
  // build those messages without it.
  it.each([
    { name: "a connection reset (kind stream)", fault: { text: "partial", resetAfterChunk: 2 }, requests: 1 + RETRIES },
    { name: "an error event in the stream (kind stream)", fault: { text: "partial", midStreamError: 2 }, requests: 1 + RETRIES },
    { name: "a stall (kind idle_timeout)", fault: { text: "partial", stallAfterChunk: 1 }, requests: 1 + RETRIES },
    { name: "a reply cut off at max_tokens", fault: { text: "cut", stopReason: "max_tokens" }, requests: 1 },
    { name: "a refusal", fault: { text: "I can't help with that.", stopReason: "refusal" }, requests: 1 },
    { name: "two invalid replies", fault: INVALID_ANSWER, requests: 2 },
  ] satisfies { name: string; fault: FakeReply; requests: number }[])("names the backend and model and says what to do after $name", async ({ fault, requests }) => {
    // Only the generation turn fails (alpha votes afterwards when it may): its failure is what the user reads.
    const { alphaEvents } = await runWithAlpha(backend, [...times(requests, fault), VOTE_FOR_BETA]);
    const failed = alphaEvents("run.agent.failed");
    expect(failed).toHaveLength(1);
    expectActionable(failed[0]!.error as string, backend);
  });

  // BUG: a retryable error's message was built once with the advice for the end of the retries
  // (models/classify-error.ts), and the agent actor journaled it on every retry (run.agent.retry),
  // so the progress view (runner/progress-view.ts) printed "retry 1 in 7 ms: … The provider failed
  // after the retries: try again later." while the retries had only begun.
  it("does not say the retries are over while announcing retry 1 of a 500", async () => {
    const { alphaEvents } = await runWithAlpha(backend, [...times(1 + RETRIES, error(500, { message: "boom" })), VOTE_FOR_BETA]);
    const first = alphaEvents("run.agent.retry")[0];
    expect(first).toMatchObject({ round: 1, attempt: 1 });
    expect(first!.error).not.toContain("after the retries");
  });

  // BUG (STYLE "shows the bad value"): the connection message says to check `base_url` but not
  // what it was (classify-error.ts:29), so a typo in the URL cannot be seen from the error.
  it("shows the base_url it could not reach", async () => {
    const { result } = await runWithAlpha(backend, [], { url: deadUrl });
    expect(result.agents.alpha!.error).toContain(deadUrl);
  });
});
