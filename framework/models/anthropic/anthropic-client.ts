import Anthropic from "@anthropic-ai/sdk";
import type { Clock } from "../../clock.ts";
import type { BackendConfig } from "../../config/config-schema.ts";
import { withoutStatus, type ProviderFailure } from "../classify-error.ts";
import type { ChatMessage, Completion, CompletionRequest, ModelClient, StopReason } from "../model.ts";
import { modelFor } from "../model-for.ts";
import { redactUrls, secretsOf } from "../redact-secrets.ts";
import { createScrubbingLogger } from "../scrubbing-logger.ts";
import { DEFAULT_MAX_TOOL_ARGUMENT_BYTES, parseArguments, streamCall, toolArgumentCounter } from "../stream-call.ts";

export interface AnthropicClientDeps {
  clock: Clock;
  apiKey: string | undefined;
  keyEnv: string;
  baseURL: string | undefined;
  idleMs: number;
  defaultModel: string;
  /** Bytes one tool call's streamed arguments may reach; default DEFAULT_MAX_TOOL_ARGUMENT_BYTES. */
  maxToolArgumentBytes?: number;
}

const STOP: Record<string, StopReason> = { end_turn: "end", stop_sequence: "end", pause_turn: "end", tool_use: "tool_use", max_tokens: "max_tokens", refusal: "refusal" };
const DEFAULT_MAX_TOKENS = 8192;
const EPHEMERAL = { type: "ephemeral" } as const;

/**
 * The `anthropic` backend: Messages with streaming and tool use, through the official SDK.
 * Cache breakpoints sit after the stable prefix (the system prompt, and the first user message
 * that holds the task and context), so every later round of a run reads them from the cache.
 *
 * @example
 * const client = createAnthropicClient("beta", { type: "anthropic", model: "claude-sonnet-4-5" }, deps);
 */
export function createAnthropicClient(agentId: string, backend: BackendConfig, deps: AnthropicClientDeps): ModelClient {
  const secrets = secretsOf(deps.apiKey, deps.baseURL);
  const argumentCap = deps.maxToolArgumentBytes ?? DEFAULT_MAX_TOOL_ARGUMENT_BYTES;
  const sdk = new Anthropic({
    apiKey: deps.apiKey ?? null,
    ...(deps.baseURL !== undefined && { baseURL: deps.baseURL }),
    maxRetries: 0,
    timeout: 24 * 3600 * 1000,
    // ANTHROPIC_LOG=debug logs response bodies, which may echo the key.
    logger: createScrubbingLogger("anthropic", secrets),
  });

  return {
    backend: "anthropic",
    model: backend.model ?? deps.defaultModel,
    async complete(request: CompletionRequest): Promise<Completion> {
      const model = modelFor(backend, request.purpose, deps.defaultModel);
      const site = { agentId, backend: "anthropic", model, keyEnv: deps.keyEnv, baseURL: redactUrls(sdk.baseURL) };
      return streamCall(
        { signal: request.signal, clock: deps.clock, idleMs: deps.idleMs, site, secrets, readFailure },
        async (signal, touch) => {
          const stream = await sdk.messages.create(
            {
              model,
              max_tokens: backend.max_tokens ?? DEFAULT_MAX_TOKENS,
              system: [{ type: "text", text: request.system, cache_control: EPHEMERAL }],
              messages: toAnthropicMessages(request.messages),
              ...(request.tools?.length && {
                tools: request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters as Anthropic.Tool.InputSchema })),
              }),
              ...(backend.temperature !== undefined && { temperature: Math.min(1, backend.temperature) }),
              stream: true,
            },
            { signal },
          );
          touch(); // headers are in: from here a broken socket is a stream error, worth a retry
          const countArguments = toolArgumentCounter(site, argumentCap);
          let text = "";
          let stop: string | null = null;
          const blocks = new Map<number, { id: string; name: string; json: string }>();
          const usage = { input_tokens: 0, output_tokens: 0, cached_tokens: 0, cache_write_tokens: 0 };
          for await (const event of stream) {
            touch();
            switch (event.type) {
              case "message_start": {
                const u = event.message.usage;
                usage.cached_tokens = u.cache_read_input_tokens ?? 0;
                usage.cache_write_tokens = u.cache_creation_input_tokens ?? 0;
                usage.input_tokens = u.input_tokens + usage.cached_tokens + usage.cache_write_tokens;
                usage.output_tokens = u.output_tokens;
                break;
              }
              case "content_block_start":
                if (event.content_block.type === "tool_use") blocks.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: "" });
                else if (event.content_block.type === "text" && event.content_block.text) {
                  text += event.content_block.text;
                  request.onText?.(event.content_block.text);
                }
                break;
              case "content_block_delta":
                if (event.delta.type === "text_delta") {
                  text += event.delta.text;
                  if (event.delta.text) request.onText?.(event.delta.text);
                }
                else if (event.delta.type === "input_json_delta") {
                  const block = blocks.get(event.index);
                  if (block) {
                    countArguments(event.index, block.name, event.delta.partial_json);
                    block.json += event.delta.partial_json;
                  }
                }
                break;
              case "message_delta":
                stop = event.delta.stop_reason ?? stop;
                usage.output_tokens = event.usage.output_tokens;
                break;
            }
          }
          if (stop === null) throw new Error("the stream ended without a stop_reason");
          return {
            text,
            toolCalls: [...blocks.values()].map((b) => ({ id: b.id, name: b.name, arguments: parseArguments(b.json), rawArguments: b.json })),
            usage,
            stopReason: STOP[stop] ?? "end",
            model,
          };
        },
      );
    },
  };
}

// Anthropic wants user and assistant turns to alternate, tool results inside a user turn, and
// the cache breakpoint on the first user message (the task and context, the same every round).
function toAnthropicMessages(messages: ChatMessage[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  const push = (role: "user" | "assistant", blocks: Anthropic.ContentBlockParam[]) => {
    const last = out.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  messages.forEach((m, i) => {
    if (m.role === "user") push("user", [{ type: "text", text: m.content, ...(i === 0 && { cache_control: EPHEMERAL }) }]);
    else if (m.role === "tool") push("user", [{ type: "tool_result", tool_use_id: m.toolCallId, content: m.content }]);
    else {
      const blocks: Anthropic.ContentBlockParam[] = m.content ? [{ type: "text", text: m.content }] : [];
      for (const c of m.toolCalls ?? []) {
        const input = typeof c.arguments === "object" && c.arguments !== null ? (c.arguments as Record<string, unknown>) : {};
        blocks.push({ type: "tool_use", id: c.id, name: c.name, input });
      }
      push("assistant", blocks.length ? blocks : [{ type: "text", text: "(no reply)" }]);
    }
  });
  return out;
}

function readFailure(error: unknown): (ProviderFailure & { connection?: boolean }) | undefined {
  if (error instanceof Anthropic.APIConnectionError) return { message: error.message, connection: true };
  if (error instanceof Anthropic.APIError) {
    const body = (typeof error.error === "object" && error.error !== null ? error.error : undefined) as { error?: { message?: unknown; type?: unknown } } | undefined;
    return {
      ...(error.status !== undefined && { status: error.status }),
      headers: error.headers,
      message: error.apiMessage ?? body?.error?.message ?? withoutStatus(error.message, error.status),
      code: error.errorCode ?? error.type ?? body?.error?.type ?? null,
    };
  }
  return undefined;
}
