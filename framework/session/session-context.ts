import type { ChatMessage, ToolSpec } from "../models/model.ts";
import { estimateRequestTokens } from "../models/estimate-tokens.ts";
import type { StoredMessage } from "./session-types.ts";

/** The parts the orchestrator's context is rebuilt from, every turn, in this order. */
export interface ContextParts {
  /** The orchestrator's own prompt: role, team, launch_run options. */
  prompt: string;
  project: string;
  runs: string;
  spend: string;
  /** The summary of the messages before `from`, once compacted. */
  summary: string | null;
  /** Every stored message; those from `from` on are sent verbatim. */
  messages: StoredMessage[];
  from: number;
  tools: ToolSpec[];
  /** A message longer than this (characters) is clipped in the request; the whole stays on disk. */
  maxMessageChars?: number;
}

/** One orchestrator request: the system text and the messages, and its estimated input tokens. */
export interface BuiltContext {
  system: string;
  messages: ChatMessage[];
  tokens: number;
}

/**
 * Builds the orchestrator's request: system (prompt → project → runs → summary → spend), then
 * the recent messages verbatim, as the model's chat messages. Tool results whose call fell
 * before `from` are dropped, so no provider sees a tool result without its call.
 *
 * @example
 * const { system, messages, tokens } = buildContext({ prompt, project, runs, spend, summary: null, messages: stored, from: 0, tools });
 */
export function buildContext(parts: ContextParts): BuiltContext {
  const sections = [parts.prompt, parts.project, parts.runs];
  if (parts.summary) sections.push(`# Earlier in this conversation (summary)\n\n${parts.summary}`);
  sections.push(parts.spend);
  const system = sections.join("\n\n");
  const messages = toChatMessages(parts.messages.slice(parts.from), parts.maxMessageChars);
  return { system, messages, tokens: estimateRequestTokens({ system, messages, tools: parts.tools }) };
}

/** What a tool call without a result on disk (the process stopped during it) is answered with. */
export const NO_RESULT = "(no result: the session stopped before this call finished)";

/**
 * Stored messages as chat messages. Tool results without their call (cut off by the window) are
 * left out, and a call without its result (the process was killed during it) gets NO_RESULT, so
 * every provider accepts the history.
 */
export function toChatMessages(stored: StoredMessage[], maxChars = Number.POSITIVE_INFINITY): ChatMessage[] {
  const out: ChatMessage[] = [];
  const cut = (s: string) => (s.length <= maxChars ? s : `${s.slice(0, maxChars)}\n(… clipped here: ${s.length - maxChars} more characters)`);
  let open: string[] = [];
  const closeOpen = () => {
    for (const id of open) out.push({ role: "tool", toolCallId: id, content: NO_RESULT });
    open = [];
  };
  for (const m of stored) {
    if (m.role === "tool") {
      if (m.tool_call_id && open.includes(m.tool_call_id)) {
        out.push({ role: "tool", toolCallId: m.tool_call_id, content: cut(m.content) });
        open = open.filter((id) => id !== m.tool_call_id);
      }
      continue;
    }
    closeOpen();
    if (m.role === "user") out.push({ role: "user", content: cut(m.content) });
    else {
      out.push({ role: "assistant", content: cut(m.content), ...(m.tool_calls?.length && { toolCalls: m.tool_calls }) });
      open = (m.tool_calls ?? []).map((c) => c.id);
    }
  }
  closeOpen();
  return out;
}
