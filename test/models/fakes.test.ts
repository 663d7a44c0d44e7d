import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { CONCLAVE_PROMPTS } from "../support/aimock-setup.ts";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server.ts";

// These tests drive the official SDKs directly, to prove the loopback fakes speak the real wire formats.

let server: FakeLlmServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  server = await startFakeLlmServer();
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "test", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: server.url, apiKey: "test", maxRetries: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const user = (content: string) => [{ role: "user" as const, content }];

function openAiStream(signal?: AbortSignal) {
  return openai.chat.completions.create(
    { model: "gpt-test", messages: user("hi"), stream: true, stream_options: { include_usage: true } },
    { signal },
  );
}

function anthropicStream(signal?: AbortSignal) {
  return anthropic.messages.create({ model: "claude-test", max_tokens: 100, messages: user("hi"), stream: true }, { signal });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

describe("startFakeLlmServer() with the openai SDK", () => {
  it("streams text in several chunks and ends with a usage chunk", async () => {
    server.enqueue({ text: "Hello, conclave!", chunkSize: 4, usage: { input: 120, output: 9, cached: 100 } });
    const chunks = [];
    for await (const chunk of await openAiStream()) chunks.push(chunk);

    const deltas = chunks.flatMap((c) => (c.choices[0]?.delta.content ? [c.choices[0].delta.content] : []));
    expect(deltas).toEqual(["Hell", "o, c", "oncl", "ave!"]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 9, total_tokens: 129, prompt_tokens_details: { cached_tokens: 100 } });
  });

  it("reassembles a tool call whose arguments arrive in pieces", async () => {
    const args = JSON.stringify({ answer: "A", reason: "clear and complete" });
    server.enqueue({ toolCalls: [{ id: "call_1", name: "vote", arguments: args }], chunkSize: 5 });
    let name = "";
    const pieces: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of await openAiStream()) {
      const choice = chunk.choices[0];
      for (const call of choice?.delta.tool_calls ?? []) {
        name += call.function?.name ?? "";
        if (call.function?.arguments) pieces.push(call.function.arguments);
      }
      finish ??= choice?.finish_reason;
    }
    expect(name).toBe("vote");
    expect(pieces.length).toBe(Math.ceil(args.length / 5));
    expect(JSON.parse(pieces.join(""))).toEqual({ answer: "A", reason: "clear and complete" });
    expect(finish).toBe("tool_calls");

    server.enqueue({ toolCalls: [{ id: "call_2", name: "vote", arguments: args }], chunkSize: 3 });
    const final = await openai.chat.completions.stream({ model: "gpt-test", messages: user("hi") }).finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls).toEqual([{ id: "call_2", type: "function", function: { name: "vote", arguments: args } }]);
  });

  it("passes invalid argument text through unchanged", async () => {
    server.enqueue({ toolCalls: [{ name: "vote", arguments: '{"answer": "A",' }] });
    const final = await openai.chat.completions.stream({ model: "gpt-test", messages: user("hi") }).finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.arguments).toBe('{"answer": "A",');
  });

  it.each([
    ["max_tokens", "length"],
    ["refusal", "content_filter"],
  ] as const)("sends stopReason %s as finish_reason %s", async (stopReason, finishReason) => {
    server.enqueue({ text: "cut", stopReason });
    const reasons = [];
    for await (const chunk of await openAiStream()) reasons.push(chunk.choices[0]?.finish_reason);
    expect(reasons.filter(Boolean)).toEqual([finishReason]);
  });

  it("answers a request without stream with one chat.completion body", async () => {
    server.enqueue({ text: "whole", toolCalls: [{ id: "call_9", name: "new_answer", arguments: '{"content":"x"}' }], usage: { input: 3, output: 4 } });
    const completion = await openai.chat.completions.create({ model: "gpt-test", messages: user("hi") });
    expect(completion.choices[0]?.message).toMatchObject({ content: "whole", tool_calls: [{ id: "call_9", function: { name: "new_answer", arguments: '{"content":"x"}' } }] });
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });
  });

  it.each([
    { status: 400, errorClass: OpenAI.BadRequestError },
    { status: 401, errorClass: OpenAI.AuthenticationError },
    { status: 403, errorClass: OpenAI.PermissionDeniedError },
    { status: 429, errorClass: OpenAI.RateLimitError },
    { status: 500, errorClass: OpenAI.InternalServerError },
    { status: 529, errorClass: OpenAI.InternalServerError },
  ])("turns a $status into $errorClass.name", async ({ status, errorClass }) => {
    server.enqueue({ error: { status, message: `failed with ${status}`, code: "fake_code", headers: { "retry-after": "7" } } });
    const error = await rejectionOf(openAiStream());
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ status, code: "fake_code", requestID: "req_fake_1" });
    expect((error as Error).message).toBe(`${status} failed with ${status}`);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get("retry-after")).toBe("7");
  });

  it("throws an APIError without status for an error in the stream", async () => {
    server.enqueue({ text: "partial answer", midStreamError: 2 });
    const seen: string[] = [];
    const error = await rejectionOf((async () => {
      for await (const chunk of await openAiStream()) seen.push(chunk.choices[0]?.delta.content ?? "");
    })());
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: undefined, type: "overloaded_error" });
    expect((error as Error).message).toBe("Overloaded");
    expect(seen).toEqual(["", "partial "]);
  });

  it("surfaces a reset after chunk k as undici's TypeError while iterating", async () => {
    server.enqueue({ text: "a long answer", chunkSize: 2, resetAfterChunk: 3 });
    const seen: string[] = [];
    const error = await rejectionOf((async () => {
      for await (const chunk of await openAiStream()) seen.push(chunk.choices[0]?.delta.content ?? "");
    })());
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("terminated");
    expect((error as Error).cause).toMatchObject({ code: "UND_ERR_SOCKET" });
    expect(seen).toEqual(["", "a ", "lo"]);
    expect(server.disconnects).toBe(0);
  });

  it("counts a disconnect when the client aborts a stalled stream, and the loop ends without an error", async () => {
    server.enqueue({ text: "never finished", stallAfterChunk: 1 });
    const controller = new AbortController();
    const seen: unknown[] = [];
    for await (const chunk of await openAiStream(controller.signal)) {
      seen.push(chunk);
      controller.abort();
    }
    expect(seen).toHaveLength(1);
    await vi.waitFor(() => expect(server.disconnects).toBe(1), { timeout: 2_000, interval: 10 });
  });

  it("waits delayMs before the first byte", async () => {
    server.enqueue({ text: "late", delayMs: 150 });
    const started = Date.now();
    await openai.chat.completions.create({ model: "gpt-test", messages: user("hi") });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("startFakeLlmServer() with the anthropic SDK", () => {
  it("streams text and reports input, cache and output tokens", async () => {
    server.enqueue({ text: "Hello, conclave!", chunkSize: 4, usage: { input: 20, output: 9, cached: 100, cacheWrite: 30 } });
    const stream = anthropic.messages.stream({ model: "claude-test", max_tokens: 100, messages: user("hi") });
    const deltas: string[] = [];
    stream.on("text", (delta) => deltas.push(delta));
    const message = await stream.finalMessage();
    expect(deltas).toEqual(["Hell", "o, c", "oncl", "ave!"]);
    expect(message.content).toEqual([{ type: "text", text: "Hello, conclave!" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({ input_tokens: 20, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 30 });
  });

  it("reassembles a tool call from input_json_delta pieces", async () => {
    const args = JSON.stringify({ content: "An answer with enough text to split." });
    server.enqueue({ text: "Posting.", toolCalls: [{ id: "toolu_1", name: "new_answer", arguments: args }], chunkSize: 6 });
    const types: string[] = [];
    const pieces: string[] = [];
    let stopReason: string | null = null;
    for await (const event of await anthropicStream()) {
      types.push(event.type);
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta") pieces.push(event.delta.partial_json);
      if (event.type === "message_delta") stopReason = event.delta.stop_reason;
    }
    expect(types.slice(0, 2)).toEqual(["message_start", "content_block_start"]);
    expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(pieces.length).toBe(Math.ceil(args.length / 6));
    expect(pieces.join("")).toBe(args);
    expect(stopReason).toBe("tool_use");

    server.enqueue({ toolCalls: [{ id: "toolu_2", name: "new_answer", arguments: args }], chunkSize: 6 });
    const message = await anthropic.messages.stream({ model: "claude-test", max_tokens: 100, messages: user("hi") }).finalMessage();
    expect(message.content).toEqual([{ type: "tool_use", id: "toolu_2", name: "new_answer", input: JSON.parse(args) }]);
  });

  it("passes invalid partial_json through unchanged, which messages.stream() repairs or rejects", async () => {
    server.enqueue({ toolCalls: [{ name: "vote", arguments: '{"answer": "A",' }] });
    let raw = "";
    for await (const event of await anthropicStream()) {
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta") raw += event.delta.partial_json;
    }
    expect(raw).toBe('{"answer": "A",');

    server.enqueue({ toolCalls: [{ name: "vote", arguments: '{"answer": "A",' }] });
    const repaired = await anthropic.messages.stream({ model: "claude-test", max_tokens: 100, messages: user("hi") }).finalMessage();
    expect(repaired.content[0]).toMatchObject({ type: "tool_use", input: { answer: "A" } });

    server.enqueue({ toolCalls: [{ name: "vote", arguments: "not json" }] });
    const error = await rejectionOf(anthropic.messages.stream({ model: "claude-test", max_tokens: 100, messages: user("hi") }).finalMessage());
    expect(error).toBeInstanceOf(Anthropic.AnthropicError);
    expect(error).not.toBeInstanceOf(Anthropic.APIError);
  });

  it.each(["max_tokens", "refusal"] as const)("sends stopReason %s as the same stop_reason", async (stopReason) => {
    server.enqueue({ text: "cut", stopReason });
    const message = await anthropic.messages.stream({ model: "claude-test", max_tokens: 100, messages: user("hi") }).finalMessage();
    expect(message.stop_reason).toBe(stopReason);
  });

  it("answers a request without stream with one message body", async () => {
    server.enqueue({ toolCalls: [{ id: "toolu_9", name: "vote", arguments: '{"answer":"B","reason":"r"}' }], usage: { input: 3, output: 4, cached: 2 } });
    const message = await anthropic.messages.create({ model: "claude-test", max_tokens: 100, messages: user("hi") });
    expect(message.content).toEqual([{ type: "tool_use", id: "toolu_9", name: "vote", input: { answer: "B", reason: "r" } }]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({ input_tokens: 3, output_tokens: 4, cache_read_input_tokens: 2 });
  });

  it.each([
    { status: 400, errorClass: Anthropic.BadRequestError, type: "invalid_request_error" },
    { status: 401, errorClass: Anthropic.AuthenticationError, type: "authentication_error" },
    { status: 403, errorClass: Anthropic.PermissionDeniedError, type: "permission_error" },
    { status: 429, errorClass: Anthropic.RateLimitError, type: "rate_limit_error" },
    { status: 500, errorClass: Anthropic.InternalServerError, type: "api_error" },
    { status: 529, errorClass: Anthropic.OverloadedError, type: "overloaded_error" },
  ])("turns a $status into $errorClass.name of type $type", async ({ status, errorClass, type }) => {
    server.enqueue({ error: { status, message: "nope", headers: { "retry-after": "2" } } });
    const error = await rejectionOf(anthropicStream());
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status, type, apiMessage: "nope", requestID: "req_fake_1" });
    expect((error as InstanceType<typeof Anthropic.APIError>).headers?.get("retry-after")).toBe("2");
  });

  it("throws an APIError without status for an error event in the stream", async () => {
    server.enqueue({ text: "partial answer", midStreamError: 3 });
    const types: string[] = [];
    const error = await rejectionOf((async () => {
      for await (const event of await anthropicStream()) types.push(event.type);
    })());
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).not.toBeInstanceOf(Anthropic.OverloadedError);
    expect(error).toMatchObject({ status: undefined, type: "overloaded_error", apiMessage: "Overloaded" });
    expect(types).toEqual(["message_start", "content_block_start", "content_block_delta"]);
  });

  it("surfaces a reset after chunk k as undici's TypeError while iterating", async () => {
    server.enqueue({ text: "a long answer", resetAfterChunk: 2 });
    const types: string[] = [];
    const error = await rejectionOf((async () => {
      for await (const event of await anthropicStream()) types.push(event.type);
    })());
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("terminated");
    expect(types).toEqual(["message_start", "content_block_start"]);
  });

  it("counts a disconnect when the client aborts a stalled stream", async () => {
    server.enqueue({ text: "never finished", stallAfterChunk: 2 });
    const controller = new AbortController();
    const stream = anthropic.messages.stream({ model: "claude-test", max_tokens: 100, messages: user("hi") }, { signal: controller.signal });
    stream.on("streamEvent", (event) => {
      if (event.type === "content_block_start") controller.abort();
    });
    const error = await rejectionOf(stream.finalMessage());
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError);
    await vi.waitFor(() => expect(server.disconnects).toBe(1), { timeout: 2_000, interval: 10 });
  });
});

describe("startFakeLlmServer()", () => {
  it("answers ok when the queue is empty and records every request", async () => {
    const completion = await openai.chat.completions.create({ model: "gpt-test", messages: user("first") });
    const message = await anthropic.messages.create({ model: "claude-test", max_tokens: 5, messages: user("second") });
    expect(completion.choices[0]?.message.content).toBe("ok");
    expect(message.content).toEqual([{ type: "text", text: "ok" }]);
    expect(server.counts).toEqual({ "/v1/chat/completions": 1, "/v1/messages": 1 });
    expect(server.requests.map((r) => [r.path, r.body])).toEqual([
      ["/v1/chat/completions", { model: "gpt-test", messages: user("first") }],
      ["/v1/messages", { model: "claude-test", max_tokens: 5, messages: user("second") }],
    ]);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer test");
    // @anthropic-ai/sdk 1.11 sends the API key as a bearer token (not x-api-key) and a 2026 API version.
    expect(server.requests[1]?.headers).toMatchObject({ authorization: "Bearer test", "anthropic-version": "2026-10-21" });

    server.reset();
    expect([server.requests, server.counts, server.disconnects]).toEqual([[], {}, 0]);
  });

  it("closes promptly while a stream is stalled", async () => {
    const local = await startFakeLlmServer();
    local.enqueue({ text: "x", stallAfterChunk: 1 });
    const client = new OpenAI({ baseURL: `${local.url}/v1`, apiKey: "test", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: "m", messages: user("hi"), stream: true });
    const reading = rejectionOf((async () => {
      for await (const _ of stream);
    })());
    await local.close();
    expect(((await reading) as Error).message).toBe("terminated");
  });
});

// A Conclave-shaped request: persona + protocol as system, then the task and the phase's instructions.
interface ConclaveRequest {
  system: string;
  instructions: string;
  tools: ("new_answer" | "vote")[];
}

interface Turn {
  text: string;
  toolCalls: { name: string; args: unknown }[];
  stop: string | null;
  usage: { input: number; output: number };
}

const SCHEMAS: Record<ConclaveRequest["tools"][number], { type: "object"; properties: Record<string, unknown>; required: string[] }> = {
  new_answer: { type: "object", properties: { content: { type: "string" } }, required: ["content"] },
  vote: { type: "object", properties: { answer: { type: "string" }, reason: { type: "string" } }, required: ["answer", "reason"] },
};

const TASK = "# Task\n\nDesign a cache for the API";

async function openAiTurn(url: string, request: ConclaveRequest): Promise<Turn> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "test", maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: "gpt-4o",
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: "system", content: request.system }, { role: "user", content: TASK }, { role: "user", content: request.instructions }],
    ...(request.tools.length ? { tools: request.tools.map((name) => ({ type: "function" as const, function: { name, parameters: SCHEMAS[name] } })) } : {}),
  });
  const turn: Turn = { text: "", toolCalls: [], stop: null, usage: { input: 0, output: 0 } };
  const args: string[] = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    turn.text += choice?.delta.content ?? "";
    for (const call of choice?.delta.tool_calls ?? []) {
      if (call.function?.name) turn.toolCalls[call.index] = { name: call.function.name, args: undefined };
      args[call.index] = (args[call.index] ?? "") + (call.function?.arguments ?? "");
    }
    turn.stop = choice?.finish_reason ?? turn.stop;
    if (chunk.usage) turn.usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
  }
  turn.toolCalls.forEach((call, i) => (call.args = JSON.parse(args[i] ?? "")));
  return turn;
}

async function anthropicTurn(url: string, request: ConclaveRequest): Promise<Turn> {
  const client = new Anthropic({ baseURL: url, apiKey: "test", maxRetries: 0 });
  const message = await client.messages
    .stream({
      model: "claude-sonnet-4-5",
      max_tokens: 1_000,
      system: request.system,
      messages: [{ role: "user", content: [{ type: "text", text: TASK }, { type: "text", text: request.instructions }] }],
      tools: request.tools.map((name) => ({ name, input_schema: SCHEMAS[name] })),
    })
    .finalMessage();
  return {
    text: message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join(""),
    toolCalls: message.content.flatMap((b) => (b.type === "tool_use" ? [{ name: b.name, args: b.input }] : [])),
    stop: message.stop_reason,
    usage: { input: message.usage.input_tokens, output: message.usage.output_tokens },
  };
}

const PROTOCOL = "You are one of several agents working on the same task.\nReply by calling exactly one of the tools you are given.";
const answers = (own: string) =>
  ["A", "B", "C"].map((label) => `## Answer ${label}${label === own ? " (yours)" : ""}\n\nAnswer ${label} text.`).join("\n\n");
const voting = (own: string, offered: string) =>
  `# Answers so far\n\n${answers(own)}\n\n# What to do\n\nVote for the best answer with the \`vote\` tool: its label (one of ${offered}) and a short reason.\nYou may not vote for your own answer (${own}).\nIf you can write a clearly better answer than all of these, post it with the \`new_answer\` tool instead.`;

describe.each([
  ["openai", openAiTurn, "tool_calls", "stop"],
  ["anthropic", anthropicTurn, "tool_use", "end_turn"],
] as const)("aimock through the %s SDK", (_name, turnOf, toolStop, endStop) => {
  const url = inject("aimockUrl");

  it("posts a new_answer that names the agent's persona", async () => {
    const instructions = `Write your answer to the task and ${CONCLAVE_PROMPTS.generation}.`;
    const reviewer = await turnOf(url, { system: `You are a careful reviewer who looks for risks.\n\n${PROTOCOL}`, instructions, tools: ["new_answer"] });
    const engineer = await turnOf(url, { system: `You are a pragmatic senior engineer.\n\n${PROTOCOL}`, instructions, tools: ["new_answer"] });

    expect(reviewer.toolCalls).toEqual([{ name: "new_answer", args: { content: expect.stringContaining("Written as a careful reviewer who looks for risks") } }]);
    expect(engineer.toolCalls).toEqual([{ name: "new_answer", args: { content: expect.stringContaining("Written as a pragmatic senior engineer") } }]);
    expect(reviewer.stop).toBe(toolStop);
    expect(reviewer.usage.input).toBeGreaterThan(10);
    expect(reviewer.usage.output).toBeGreaterThan(10);
  });

  it.each([
    ["A", "B, C", "B"],
    ["B", "A, C", "A"],
    ["C", "A, B", "A"],
  ])("votes, as the author of %s offered %s, for %s", async (own, offered, expected) => {
    const turn = await turnOf(url, { system: PROTOCOL, instructions: voting(own, offered), tools: ["new_answer", "vote"] });
    expect(turn.toolCalls).toEqual([{ name: "vote", args: { answer: expected, reason: "clear and complete" } }]);
  });

  it("writes the final answer as plain text", async () => {
    const instructions = `# Answers so far\n\n${answers("B")}\n\n# Votes\n\nYour answer (B) won.\n\n${CONCLAVE_PROMPTS.presentation}: your answer, improved.`;
    const turn = await turnOf(url, { system: "You are a product-minded generalist.\n\nReply with the final answer itself.", instructions, tools: [] });
    expect(turn.toolCalls).toEqual([]);
    expect(turn.text).toMatch(/^Final answer: Written as a product-minded generalist: /);
    expect(turn.stop).toBe(endStop);
  });
});
