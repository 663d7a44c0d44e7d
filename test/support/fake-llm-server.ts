import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A tool call the fake streams; `arguments` is raw JSON text and may be invalid on purpose. */
export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/**
 * Token counts put on the wire as given. OpenAI: `prompt_tokens` = input,
 * `prompt_tokens_details.cached_tokens` = cached. Anthropic: `input_tokens` = input,
 * `cache_read_input_tokens` = cached, `cache_creation_input_tokens` = cacheWrite.
 */
export interface FakeUsage {
  input?: number;
  output?: number;
  cached?: number;
  cacheWrite?: number;
}

/** Byte-level faults; k counts SSE events (one `data:` line for OpenAI, one `event:`+`data:` pair for Anthropic). */
export interface FakeFaults {
  /** Destroy the socket after writing k events. */
  resetAfterChunk?: number;
  /** Write k events, then nothing more; the socket stays open until the client goes away. */
  stallAfterChunk?: number;
  /** Send the provider's in-stream error event after k events, then end the response. */
  midStreamError?: number;
  /** Wait this long before the first byte (status line included). */
  delayMs?: number;
}

export interface FakeTurnReply extends FakeFaults {
  text?: string;
  toolCalls?: FakeToolCall[];
  /** Defaults to "tool_use" when there are tool calls, else "end". */
  stopReason?: "end" | "tool_use" | "max_tokens" | "refusal";
  usage?: FakeUsage;
  /** Characters per text delta and per tool-argument delta (default 8). */
  chunkSize?: number;
}

export interface FakeErrorReply {
  error: {
    status: number;
    type?: string;
    message?: string;
    code?: string;
    headers?: Record<string, string>;
    /** The body sent as is, instead of the provider's JSON error built from the fields above. */
    body?: string;
    /** The content-type of `body` (default application/json), e.g. text/plain as some proxies send. */
    contentType?: string;
  };
  delayMs?: number;
}

export type FakeReply = FakeTurnReply | FakeErrorReply;

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (the raw text when it did not parse). */
  body: unknown;
  at: number;
}

export interface FakeLlmServer {
  /** `http://127.0.0.1:PORT`; OpenAI clients use `url + "/v1"`, Anthropic clients use `url`. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Requests per path, e.g. `counts["/v1/messages"]`. */
  readonly counts: Readonly<Record<string, number>>;
  /** Responses the client abandoned before they finished (faults the server injects itself do not count). */
  readonly disconnects: number;
  /** Queues replies, served in order; an empty queue answers with the text "ok". */
  enqueue(...replies: FakeReply[]): void;
  /** Empties the queue, forgets requests, counts and disconnects, and numbers ids from 1 again. */
  reset(): void;
  /** Stops listening and destroys open sockets. */
  close(): Promise<void>;
}

/** An SSE event before serialisation; OpenAI events have no name. */
interface SseEvent {
  event?: string;
  data: unknown;
}

type Api = "openai" | "anthropic";
const ROUTES: Record<string, Api> = { "/v1/chat/completions": "openai", "/v1/messages": "anthropic" };

const OPENAI_STOP = { end: "stop", tool_use: "tool_calls", max_tokens: "length", refusal: "content_filter" } as const;
// The error `type` each provider sends for a status, when the reply names none.
const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error",
  413: "request_too_large", 429: "rate_limit_error", 500: "api_error", 529: "overloaded_error",
};
const OPENAI_ERROR_TYPES: Record<number, string> = { 400: "invalid_request_error", 401: "invalid_request_error", 403: "invalid_request_error", 429: "requests" };

/** Options of startFakeLlmServer(). */
export interface FakeLlmServerOptions {
  /** The models it serves: a request for another answers 404 in the provider's shape (model not found). Default: any. */
  models?: readonly string[];
  /** Answers a request when the queue is empty (instead of the text "ok"), from its parsed body: replies that depend on what is asked. */
  reply?: (body: Record<string, unknown>) => FakeReply;
}

/**
 * Starts a programmable OpenAI + Anthropic server on 127.0.0.1 with an ephemeral port.
 *
 * @example
 * const server = await startFakeLlmServer();
 * server.enqueue({ toolCalls: [{ name: "vote", arguments: '{"answer":"A"}' }] }, { error: { status: 529 } });
 * const client = new Anthropic({ baseURL: server.url, apiKey: "test", maxRetries: 0 });
 * await server.close();
 */
export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
  let queue: FakeReply[] = [];
  let requests: RecordedRequest[] = [];
  let counts: Record<string, number> = {};
  let disconnects = 0;
  let ids = 0;
  let closing = false;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    requests.push({ path, headers: req.headers, body: parseJson(raw), at: Date.now() });
    counts[path] = (counts[path] ?? 0) + 1;
    let faulted = false;
    res.on("close", () => {
      if (!res.writableEnded && !faulted && !closing) disconnects++;
    });

    const api = ROUTES[path];
    if (req.method !== "POST" || !api) {
      return sendJson(res, 404, { error: { message: `No route for ${req.method} ${path}`, type: "invalid_request_error", param: null, code: null } });
    }
    const body = asRecord(parseJson(raw));
    if (options.models && !options.models.includes(String(body.model))) {
      const message = api === "openai" ? `The model \`${String(body.model)}\` does not exist or you do not have access to it.` : `model: ${String(body.model)}`;
      return sendError(res, api, { status: 404, message, ...(api === "openai" && { code: "model_not_found" }) });
    }
    const reply = queue.shift() ?? options.reply?.(body) ?? { text: "ok" };
    if (reply.delayMs && !(await sleep(reply.delayMs, res))) return;
    const id = ++ids;
    const idHeader = { [api === "openai" ? "x-request-id" : "request-id"]: `req_fake_${id}` };
    if ("error" in reply) return sendError(res, api, { ...reply.error, headers: { ...idHeader, ...reply.error.headers } });

    const model = typeof body.model === "string" ? body.model : "fake-model";
    const calls = (reply.toolCalls ?? []).map((c, i) => ({ ...c, id: c.id ?? `${api === "openai" ? "call" : "toolu"}_${id}_${i}` }));
    const turn: Turn = { ...reply, toolCalls: calls, stopReason: reply.stopReason ?? (calls.length ? "tool_use" : "end") };

    if (body.stream !== true) {
      return sendJson(res, 200, api === "openai" ? openAiJson(turn, model, id) : anthropicJson(turn, model, id), idHeader);
    }
    const includeUsage = asRecord(body.stream_options).include_usage === true;
    const events = api === "openai" ? openAiEvents(turn, model, id, includeUsage) : anthropicEvents(turn, model, id);
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...idHeader });
    res.flushHeaders();
    for (let index = 0; ; index++) {
      if (index === reply.resetAfterChunk) {
        faulted = true;
        res.destroy();
        return;
      }
      if (index === reply.stallAfterChunk) return; // the socket closes when the client or close() gives up
      if (index === reply.midStreamError) {
        const error = { type: "overloaded_error", message: "Overloaded" };
        await write(res, api === "openai"
          ? sse({ data: { error: { ...error, code: null, param: null } } })
          : sse({ event: "error", data: { type: "error", error } }));
        res.end();
        return;
      }
      const event = events[index];
      if (!event) break;
      if (!(await write(res, sse(event)))) return;
    }
    if (api === "openai") await write(res, "data: [DONE]\n\n");
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() { return requests; },
    get counts() { return counts; },
    get disconnects() { return disconnects; },
    enqueue: (...replies) => void queue.push(...replies),
    reset() {
      queue = [];
      requests = [];
      counts = {};
      disconnects = 0;
      ids = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

type Turn = FakeTurnReply & { toolCalls: Required<FakeToolCall>[]; stopReason: NonNullable<FakeTurnReply["stopReason"]> };

function openAiUsage(usage: FakeUsage = {}) {
  const input = usage.input ?? 10;
  const output = usage.output ?? 5;
  return {
    prompt_tokens: input, completion_tokens: output, total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: usage.cached ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function anthropicUsage(usage: FakeUsage = {}) {
  return {
    input_tokens: usage.input ?? 10,
    cache_creation_input_tokens: usage.cacheWrite ?? 0,
    cache_read_input_tokens: usage.cached ?? 0,
    output_tokens: usage.output ?? 5,
  };
}

function openAiEvents(turn: Turn, model: string, id: number, includeUsage: boolean): SseEvent[] {
  const base = { id: `chatcmpl-fake${id}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, system_fingerprint: "fp_fake", ...(includeUsage ? { usage: null } : {}) };
  const chunk = (delta: object, finish: string | null = null): SseEvent => ({
    data: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  const size = turn.chunkSize ?? 8;
  const events = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const piece of split(turn.text ?? "", size)) events.push(chunk({ content: piece }));
  turn.toolCalls.forEach((call, index) => {
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }));
    for (const piece of split(call.arguments, size)) events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, OPENAI_STOP[turn.stopReason]));
  if (includeUsage) events.push({ data: { ...base, choices: [], usage: openAiUsage(turn.usage) } });
  return events;
}

function anthropicEvents(turn: Turn, model: string, id: number): SseEvent[] {
  const event = (type: string, data: object): SseEvent => ({ event: type, data: { type, ...data } });
  const size = turn.chunkSize ?? 8;
  const usage = anthropicUsage(turn.usage);
  const events = [event("message_start", {
    message: { id: `msg_fake${id}`, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  })];
  let index = 0;
  if (turn.text) {
    events.push(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
    for (const text of split(turn.text, size)) events.push(event("content_block_delta", { index, delta: { type: "text_delta", text } }));
    events.push(event("content_block_stop", { index: index++ }));
  }
  for (const call of turn.toolCalls) {
    events.push(event("content_block_start", { index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }));
    for (const partial_json of split(call.arguments, size)) {
      events.push(event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } }));
    }
    events.push(event("content_block_stop", { index: index++ }));
  }
  events.push(event("message_delta", { delta: { stop_reason: anthropicStop(turn.stopReason), stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }));
  events.push(event("message_stop", {}));
  return events;
}

function openAiJson(turn: Turn, model: string, id: number): object {
  const toolCalls = turn.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  const message = { role: "assistant", content: turn.text ?? null, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
  return {
    id: `chatcmpl-fake${id}`, object: "chat.completion", created: Math.floor(Date.now() / 1000), model, system_fingerprint: "fp_fake",
    choices: [{ index: 0, message, logprobs: null, finish_reason: OPENAI_STOP[turn.stopReason] }],
    usage: openAiUsage(turn.usage),
  };
}

function anthropicJson(turn: Turn, model: string, id: number): object {
  const content = [
    ...(turn.text ? [{ type: "text", text: turn.text }] : []),
    ...turn.toolCalls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: parseJson(c.arguments) })),
  ];
  return { id: `msg_fake${id}`, type: "message", role: "assistant", model, content, stop_reason: anthropicStop(turn.stopReason), stop_sequence: null, usage: anthropicUsage(turn.usage) };
}

function anthropicStop(reason: Turn["stopReason"]): string {
  return reason === "end" ? "end_turn" : reason;
}

function sendError(res: ServerResponse, api: Api, error: FakeErrorReply["error"]): void {
  const { status, headers = {} } = error;
  if (error.body !== undefined) {
    res.writeHead(status, { "content-type": error.contentType ?? "application/json", ...headers });
    res.end(error.body);
    return;
  }
  const message = error.message ?? `Fake error ${status}`;
  const body = api === "openai"
    ? { error: { message, type: error.type ?? OPENAI_ERROR_TYPES[status] ?? "server_error", param: null, code: error.code ?? null } }
    : { type: "error", error: { type: error.type ?? ANTHROPIC_ERROR_TYPES[status] ?? "api_error", message }, request_id: headers["request-id"] ?? null };
  sendJson(res, status, body, headers);
}

function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function sse({ event, data }: SseEvent): string {
  return `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
}

// Writes one chunk; false when the client has gone away.
function write(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    res.once("close", onClose);
    res.write(chunk, (error) => {
      res.off("close", onClose);
      resolve(!error && !res.destroyed);
    });
  });
}

// Waits ms; false when the response closed first.
function sleep(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (res.off("close", onClose), resolve(true)), ms);
    const onClose = () => (clearTimeout(timer), resolve(false));
    res.once("close", onClose);
  });
}

function split(text: string, size: number): string[] {
  return text.match(new RegExp(`[\\s\\S]{1,${Math.max(1, size)}}`, "g")) ?? [];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
