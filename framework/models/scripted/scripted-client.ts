import { sleep, type Clock } from "../../clock.ts";
import type { BackendConfig, ScriptTurn } from "../../config/config-schema.ts";
import { ModelApiError, RateLimitError } from "../../errors.ts";
import { estimateRequestTokens, estimateTokens } from "../estimate-tokens.ts";
import { modelFor } from "../model-for.ts";
import type { Completion, CompletionRequest, ModelClient, ToolCall, TurnHints } from "../model.ts";
import { defaultAnswer, defaultVote } from "./default-behaviour.ts";
import { orchestratorPolicy } from "./orchestrator-policy.ts";
import { sampleData } from "./sample-data.ts";
import { SUMMARISE_PREFIX, summariseConversation } from "./summarise-conversation.ts";

/**
 * The offline backend: deterministic, with latency, failures, hangs and a script of turns.
 * It drives every test and every dry run. Turns are consumed one per call; when the script
 * runs out it answers from the task and votes by a fixed rule (see default-behaviour.ts), and as
 * a chat's orchestrator it follows the offline policy (orchestrator-policy.ts).
 *
 * @example
 * const client = createScriptedClient("alpha", { type: "scripted", latency_ms: 100,
 *   script: [{ answer: "42" }, { vote: "A", reason: "it is right" }] }, { clock });
 */
export function createScriptedClient(agentId: string, backend: BackendConfig, deps: { clock: Clock }): ModelClient {
  const script: ScriptTurn[] = backend.script ?? [];
  const model = backend.model ?? "scripted";
  let next = 0;
  let calls = 0;
  let failures = 0;

  return {
    backend: "scripted",
    model,
    async complete(request: CompletionRequest): Promise<Completion> {
      const { signal } = request;
      calls++;
      if (signal?.aborted) throw aborted(agentId, signal);
      if (backend.latency_ms) await sleep(deps.clock, backend.latency_ms, signal).catch(() => Promise.reject(aborted(agentId, signal)));
      const fail = backend.fail;
      if (fail && (fail.times === "always" || failures < fail.times)) {
        failures++;
        throw simulatedFailure(agentId, fail.kind, calls, fail.retry_after_ms);
      }
      if (backend.hang) {
        await new Promise((_, reject) => signal?.addEventListener("abort", () => reject(aborted(agentId, signal)), { once: true }));
      }
      const turn = script[next];
      if (turn) next++;
      const reply = turn ? playTurn(turn, request, calls) : improvise(request, calls);
      if (reply.text) request.onText?.(reply.text);
      const output = reply.text + reply.toolCalls.map((c) => c.rawArguments).join("");
      return {
        ...reply,
        // The tier's model, so a dry run is priced as the real run would be.
        model: modelFor(backend, request.purpose, model),
        usage: { input_tokens: estimateRequestTokens(request), output_tokens: estimateTokens(output), cached_tokens: 0, estimated: true },
      };
    },
    // A call answered from the journal: count it, and take its failure or its script turn, as complete() would have.
    replayed({ failed, aborted }) {
      calls++;
      if (aborted) return;
      if (failed) failures++;
      else if (script[next]) next++;
    },
  };
}

type Reply = Pick<Completion, "text" | "toolCalls" | "stopReason">;

function playTurn(turn: ScriptTurn, request: CompletionRequest, n: number): Reply {
  if (turn.text !== undefined) return { text: turn.text, toolCalls: [], stopReason: "end" };
  if (turn.answer !== undefined) {
    // A presentation offers no tools: the answer is the reply's text.
    if (!request.tools?.length) return { text: turn.answer, toolCalls: [], stopReason: "end" };
    return call("new_answer", turn.data === undefined ? { content: turn.answer } : { content: turn.answer, data: turn.data }, n);
  }
  if (turn.vote !== undefined) return call("vote", { answer: turn.vote, reason: turn.reason ?? "" }, n);
  return call(turn.tool!, turn.args ?? {}, n);
}

function improvise(request: CompletionRequest, n: number): Reply {
  const hints: TurnHints | undefined = request.hints;
  if (!hints) {
    // As a chat's orchestrator: the offline policy; asked to fold older messages: their first lines.
    if (request.tools?.some((t) => t.name === "launch_run")) {
      const action = orchestratorPolicy(request);
      return "text" in action ? { text: action.text, toolCalls: [], stopReason: "end" } : call(action.tool, action.args, n);
    }
    const last = request.messages.at(-1);
    if (last?.role === "user" && last.content.startsWith(SUMMARISE_PREFIX)) return { text: summariseConversation(request.messages), toolCalls: [], stopReason: "end" };
    return { text: "(scripted reply)", toolCalls: [], stopReason: "end" };
  }
  const own = hints.answers.find((a) => a.label === hints.ownLabel);
  if (hints.phase === "presentation") return { text: own?.content ?? defaultAnswer(hints.task, hints.agentId, hints.files), toolCalls: [], stopReason: "end" };
  const offered = (name: string) => request.tools?.find((t) => t.name === name);
  const choice = offered("vote") ? defaultVote(hints) : undefined;
  if (choice) return call("vote", choice, n);
  const content = defaultAnswer(hints.task, hints.agentId, hints.files);
  // In a workspace, write the answer to a file first; the tool result comes back, then the answer is posted.
  const wrote = request.messages.some((m) => m.role === "tool");
  if (offered("write_file") && !wrote) {
    const dir = hints.writable?.[0];
    return call("write_file", { path: `${dir ? `${dir.replace(/\/+$/, "")}/` : ""}${slug(hints.task)}.md`, content: `${content}\n` }, n);
  }
  const dataSchema = (offered("new_answer")?.parameters as { properties?: Record<string, unknown> } | undefined)?.properties?.data;
  const data = dataSchema && (offered("new_answer")?.parameters as { required?: string[] }).required?.includes("data") ? sampleData(dataSchema, hints.task.split("\n")[0]!, "value", { files: hints.files ?? [] }) : undefined;
  return call("new_answer", data === undefined ? { content } : { content, data }, n);
}

// A file name from a task: "Add WebSocket support!" → "add-websocket-support".
function slug(task: string): string {
  return task.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48) || "answer";
}

function call(name: string, args: unknown, n: number): Reply {
  const rawArguments = JSON.stringify(args);
  const toolCall: ToolCall = { id: `call_${n}`, name, arguments: args, rawArguments };
  return { text: "", toolCalls: [toolCall], stopReason: "tool_use" };
}

function simulatedFailure(agentId: string, kind: ModelApiError["kind"], call: number, retryAfterMs?: number): ModelApiError {
  const message = `scripted agent \`${agentId}\`: simulated ${kind} error on call ${call}`;
  if (kind === "rate_limit") return new RateLimitError(message, { status: 429, ...(retryAfterMs !== undefined && { retryAfterMs }) });
  return new ModelApiError(kind, message);
}

function aborted(agentId: string, signal: AbortSignal | undefined): ModelApiError {
  return new ModelApiError("aborted", `scripted agent \`${agentId}\`: call aborted`, { cause: signal?.reason });
}
