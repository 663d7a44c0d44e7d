import type { CompletionRequest } from "./model.ts";

/**
 * A provider-free token estimate (about four characters a token), used by the scripted backend
 * so a dry run shows roughly what the real run would read and write.
 *
 * @example
 * estimateTokens("hello world, this is sixteen+") // 8
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Estimated input tokens of a whole request: system, messages and tool schemas. */
export function estimateRequestTokens(request: CompletionRequest): number {
  let chars = request.system.length;
  for (const m of request.messages) {
    chars += m.content.length + 4;
    if (m.role === "assistant" && m.toolCalls) for (const c of m.toolCalls) chars += c.rawArguments.length + c.name.length;
  }
  if (request.tools) chars += JSON.stringify(request.tools).length;
  return Math.ceil(chars / 4);
}
