import OpenAI from "openai";
import type { Clock } from "../../clock.ts";
import type { BackendConfig } from "../../config/config-schema.ts";
import { withoutStatus, type ProviderFailure } from "../classify-error.ts";
import type { ChatMessage, Completion, CompletionRequest, ModelClient, StopReason, ToolCall } from "../model.ts";
import { modelFor } from "../model-for.ts";
import { redactUrls, secretsOf } from "../redact-secrets.ts";
import { createScrubbingLogger } from "../scrubbing-logger.ts";
import { DEFAULT_MAX_TOOL_ARGUMENT_BYTES, parseArguments, streamCall, toolArgumentCounter } from "../stream-call.ts";

export interface OpenAIClientDeps {
  clock: Clock;
  apiKey: string | undefined;
  keyEnv: string;
  baseURL: string | undefined;
  idleMs: number;
  defaultModel: string;
  /** Bytes one tool call's streamed arguments may reach; default DEFAULT_MAX_TOOL_ARGUMENT_BYTES. */
  maxToolArgumentBytes?: number;
}

const FINISH: Record<string, StopReason> = { stop: "end", tool_calls: "tool_use", function_call: "tool_use", length: "max_tokens", content_filter: "refusal" };

/**
 * The `openai` backend: Chat Completions with streaming and tool calls, through the official
 * SDK, against OpenAI or any compatible server (`base_url`: Ollama, vLLM, llama.cpp, LM Studio).
 * The SDK's own retries are off: the engine retries, so attempts never multiply.
 *
 * @example
 * const client = createOpenAIClient("alpha", { type: "openai", model: "gpt-4.1-mini" }, deps);
 */
export function createOpenAIClient(agentId: string, backend: BackendConfig, deps: OpenAIClientDeps): ModelClient {
  const secrets = secretsOf(deps.apiKey, deps.baseURL);
  const argumentCap = deps.maxToolArgumentBytes ?? DEFAULT_MAX_TOOL_ARGUMENT_BYTES;
  const sdk = new OpenAI({
    // Servers such as Ollama need no key, but the SDK insists on one.
    apiKey: deps.apiKey ?? "no-key",
    ...(deps.baseURL !== undefined && { baseURL: deps.baseURL }),
    maxRetries: 0,
    timeout: 24 * 3600 * 1000,
    // OPENAI_LOG=debug logs response bodies, which may echo the key.
    logger: createScrubbingLogger("openai", secrets),
  });
  const compatible = deps.baseURL !== undefined;

  return {
    backend: "openai",
    model: backend.model ?? deps.defaultModel,
    async complete(request: CompletionRequest): Promise<Completion> {
      const model = modelFor(backend, request.purpose, deps.defaultModel);
      const site = { agentId, backend: "openai", model, keyEnv: deps.keyEnv, baseURL: redactUrls(sdk.baseURL) };
      return streamCall(
        { signal: request.signal, clock: deps.clock, idleMs: deps.idleMs, site, secrets, readFailure },
        async (signal, touch) => {
          const stream = await sdk.chat.completions.create(
            {
              model,
              messages: toOpenAIMessages(request.system, request.messages),
              ...(request.tools?.length && {
                tools: request.tools.map((t) => ({ type: "function" as const, function: { name: t.name, description: t.description, parameters: t.parameters } })),
              }),
              stream: true,
              stream_options: { include_usage: true },
              ...(backend.temperature !== undefined && { temperature: backend.temperature }),
              // Compatible servers know max_tokens; OpenAI's newer models only max_completion_tokens.
              ...(backend.max_tokens !== undefined && (compatible ? { max_tokens: backend.max_tokens } : { max_completion_tokens: backend.max_tokens })),
            },
            { signal },
          );
          touch(); // headers are in: from here a broken socket is a stream error, worth a retry
          const countArguments = toolArgumentCounter(site, argumentCap);
          let text = "";
          let refusal = "";
          let finish: string | null = null;
          const calls: { id: string; name: string; args: string }[] = [];
          const usage = { input_tokens: 0, output_tokens: 0, cached_tokens: 0 };
          for await (const chunk of stream) {
            touch();
            const choice = chunk.choices[0];
            if (choice) {
              if (choice.delta.content) {
                text += choice.delta.content;
                request.onText?.(choice.delta.content);
              }
              refusal += choice.delta.refusal ?? "";
              for (const d of choice.delta.tool_calls ?? []) {
                const call = (calls[d.index] ??= { id: "", name: "", args: "" });
                if (d.id) call.id = d.id;
                if (d.function?.name) call.name += d.function.name;
                if (d.function?.arguments) {
                  countArguments(d.index, call.name, d.function.arguments);
                  call.args += d.function.arguments;
                }
              }
              finish = choice.finish_reason ?? finish;
            }
            if (chunk.usage) {
              usage.input_tokens = chunk.usage.prompt_tokens;
              usage.output_tokens = chunk.usage.completion_tokens;
              usage.cached_tokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
            }
          }
          if (finish === null) throw new Error("the stream ended without a finish_reason");
          const toolCalls: ToolCall[] = calls
            .filter(Boolean)
            .map((c, i) => ({ id: c.id || `call_${i}`, name: c.name, arguments: parseArguments(c.args), rawArguments: c.args }));
          return {
            text: text || refusal,
            toolCalls,
            usage,
            stopReason: refusal && !text && toolCalls.length === 0 ? "refusal" : (FINISH[finish] ?? "end"),
            model,
          };
        },
      );
    },
  };
}

function toOpenAIMessages(system: string, messages: ChatMessage[]): OpenAI.Chat.ChatCompletionMessageParam[] {
  return [
    { role: "system", content: system },
    ...messages.map((m): OpenAI.Chat.ChatCompletionMessageParam => {
      if (m.role === "tool") return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
      if (m.role === "user") return { role: "user", content: m.content };
      return {
        role: "assistant",
        content: m.content || null,
        ...(m.toolCalls?.length && {
          tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.rawArguments } })),
        }),
      };
    }),
  ];
}

function readFailure(error: unknown): (ProviderFailure & { connection?: boolean }) | undefined {
  if (error instanceof OpenAI.APIConnectionError) return { message: error.message, connection: true };
  if (error instanceof OpenAI.APIError) {
    const body = (typeof error.error === "object" && error.error !== null ? error.error : undefined) as { message?: unknown; code?: unknown; type?: unknown } | undefined;
    return {
      ...(error.status !== undefined && { status: error.status }),
      headers: error.headers,
      message: body?.message ?? withoutStatus(error.message, error.status),
      code: error.code ?? body?.code ?? error.type ?? body?.type ?? null,
    };
  }
  return undefined;
}
