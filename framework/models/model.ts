/**
 * The one interface every backend implements. `complete()` returns a whole assistant turn;
 * streaming happens inside a backend (for the idle watchdog and progress). A caller that shows
 * text as it arrives passes `onText`; the returned Completion still holds the whole text.
 *
 * @example
 * const turn = await client.complete({ system, messages, tools, signal });
 * if (turn.toolCalls.length) handle(turn.toolCalls[0]);
 */
export interface ModelClient {
  /** The backend that serves this client: "openai", "anthropic" or "scripted". */
  readonly backend: string;
  /** The model name as configured (the scripted backend's default is "scripted"). */
  readonly model: string;
  complete(request: CompletionRequest): Promise<Completion>;
  /**
   * Told that a call was answered from a run's journal instead of this client (a resumed run):
   * a client that keeps state across calls (the scripted backend's script) moves on as if it had
   * been called. `failed`: the recorded call failed (not aborted).
   */
  replayed?(call: { failed: boolean; aborted: boolean }): void;
}

export type ChatMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A tool call as the model made it; `arguments` is the parsed JSON, or undefined when it did not parse. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
  rawArguments: string;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  /** Input tokens written to the prompt cache (Anthropic), priced at `cache_write`. Part of input_tokens. */
  cache_write_tokens?: number;
  /** True when the numbers are estimates (the scripted backend), not a provider's count. */
  estimated?: boolean;
}

/** What the coordination layer tells an offline backend, so it can behave plausibly without parsing prompts. */
export interface TurnHints {
  agentId: string;
  phase: "generation" | "voting" | "presentation";
  round: number;
  task: string;
  ownLabel?: string;
  answers: { label: string; content: string }[];
  /** Directories of the agent's workspace it may write. */
  writable?: string[];
  /** The project files the run's context shows, relative to the project. */
  files?: string[];
}

export interface CompletionRequest {
  system: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  signal?: AbortSignal;
  /** Which of a tiered agent's models to use; backends without tiers ignore it. */
  purpose?: "generation" | "voting" | "presentation";
  hints?: TurnHints;
  /**
   * Called with each piece of the reply's text as it streams (never tool-call arguments); the
   * pieces, joined, are the Completion's `text`. The scripted backend calls it once with its whole
   * text. A call that is retried streams again from its start.
   */
  onText?: (delta: string) => void;
}

export type StopReason = "end" | "tool_use" | "max_tokens" | "refusal";

export interface Completion {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  stopReason: StopReason;
  model: string;
}

/** Adds `b` into a copy of `a`. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cached_tokens: a.cached_tokens + b.cached_tokens,
  };
}

export const ZERO_USAGE: Usage = Object.freeze({ input_tokens: 0, output_tokens: 0, cached_tokens: 0 });
