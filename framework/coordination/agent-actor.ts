import { fromCallback, type AnyEventObject, type CallbackLogicFunction, type EventObject } from "xstate";
import { holding, type Clock } from "../clock.ts";
import { ModelApiError } from "../errors.ts";
import { modelError } from "../models/classify-error.ts";
import type { ChatMessage, Completion, ModelClient, ToolSpec } from "../models/model.ts";
import { withRetries, type RetryPolicy } from "../models/with-retries.ts";
import { checkTurn, type TurnOutcome } from "./check-turn.ts";
import type { AgentTurn } from "./prompts.ts";
import type { RunEvent } from "./run-context.ts";
import { backendAndModel } from "../models/backend-and-model.ts";

export interface AgentActorDeps {
  /** The model client of each agent, made once per run. */
  client: (agentId: string) => ModelClient;
  clock: Clock;
  retry?: RetryPolicy;
  random?: () => number;
  /** The cost of one call in USD, or null when the model has no price. */
  cost?: (model: string, usage: Completion["usage"]) => number | null;
  /** The workspace tools of an agent's turn (read_file, write_file, run_command…), if the run has any. */
  tools?: (agentId: string, phase: AgentTurn["phase"], round: number) => AgentTools | undefined;
  /** Checks an answer's structured `data` against the run's output schema; a message says what is wrong. */
  checkData?: (data: unknown) => { ok: true; value: unknown } | { ok: false; message: string };
  /** Notes from the person not yet shown to this agent (taken once, at the start of each turn), numbered from 1. */
  notes?: (agentId: string) => { n: number; text: string }[];
  /** The clock that arms an agent's next call timeout (default `clock`): a resumed run's live timers for a call made for real, its replay clock for one replayed. */
  callTimers?: (agentId: string, turn: AgentTurn) => Clock;
}

/** Tools an agent may call inside its turn, besides new_answer and vote. */
export interface AgentTools {
  specs: ToolSpec[];
  /** What the workspace holds and where the agent may write, added to its instructions. */
  brief?: string;
  /** The directories the agent may write, relative to its workspace. */
  writable?: string[];
  has(name: string): boolean;
  call(name: string, args: unknown, signal?: AbortSignal): Promise<{ ok: boolean; content: string }>;
}

// How many workspace tool calls one turn may make before it is ended as a failure.
const MAX_TOOL_CALLS = 40;

/**
 * The actor behind every agent turn: calls the model (with retries and a per-call timeout),
 * checks the reply against the round's rules, gives one repair turn for an invalid reply, and
 * reports back to the run machine. Stopping the actor aborts the call in flight.
 *
 * @example
 * const machine = createRunMachine(clock).provide({ actors: { agent: createAgentActor({ client, clock }) } });
 */
export function createAgentActor(deps: AgentActorDeps) {
  return fromCallback<EventObject, AgentTurn>(agentTurns(deps));
}

/**
 * What createAgentActor() wraps: the callback that plays one turn, for a run that binds it to the shared run
 * machine (bindRun()) instead of providing an actor, which would build the machine's definition again.
 *
 * @example
 * bindRun(actor, { agent: agentTurns({ client, clock }) });
 */
export function agentTurns(deps: AgentActorDeps): CallbackLogicFunction<EventObject, AnyEventObject, AgentTurn> {
  return ({ input, sendBack }) => {
    const controller = new AbortController();
    let stopped = false;
    const send = (event: RunEvent) => {
      if (!stopped) sendBack(event);
    };
    playTurn(input, deps, controller.signal, send).catch((error: unknown) => {
      const kind = error instanceof ModelApiError ? error.kind : "error";
      const retryable = error instanceof ModelApiError ? error.retryable || error.kind === "timeout" : false;
      send({ type: "run.agent.failed", agentId: input.agentId, round: input.round, at: deps.clock.now(), error: messageOf(error), kind, retryable });
    });
    return () => {
      stopped = true;
      controller.abort(new Error("agent turn stopped"));
    };
  };
}

async function playTurn(turn: AgentTurn, deps: AgentActorDeps, signal: AbortSignal, send: (e: RunEvent) => void): Promise<void> {
  const client = deps.client(turn.agentId);
  const at = () => deps.clock.now();
  const base = { agentId: turn.agentId, round: turn.round };
  let lastProblem = "";
  let lastAboutData = false;
  let lastModel = client.model;
  const notes = deps.notes?.(turn.agentId) ?? [];
  if (notes.length) send({ type: "run.agent.note", ...base, at: at(), phase: turn.phase, notes: notes.map((n) => n.n) });
  const tools = deps.tools?.(turn.agentId, turn.phase, turn.round);
  const told = notes.length ? withNotes(turn, notes) : turn;
  const offered = tools ? withTools(told, tools) : told;
  let messages: ChatMessage[] = offered.messages;
  let toolCalls = 0;
  for (let attempt = 0; attempt < 2; ) {
    const completion = await callModel(client, offered, messages, deps, signal, send);
    send({ type: "run.agent.usage", ...base, at: at(), usage: completion.usage, cost_usd: deps.cost ? deps.cost(completion.model, completion.usage) : null, model: completion.model });
    lastModel = completion.model;
    // Workspace tools run inside the turn; the turn goes on until a coordination tool ends it.
    if (tools && completion.toolCalls.some((c) => tools.has(c.name))) {
      toolCalls += completion.toolCalls.length;
      if (toolCalls > MAX_TOOL_CALLS) {
        throw modelError("bad_request", { agentId: turn.agentId, backend: client.backend, model: completion.model }, `made more than ${MAX_TOOL_CALLS} tool calls in one turn without posting an answer or a vote`);
      }
      const results: ChatMessage[] = [];
      for (const call of completion.toolCalls) {
        const result = tools.has(call.name)
          ? await holding(deps.clock, () => tools.call(call.name, call.arguments, signal))
          : { ok: false, content: `Not run: call \`${call.name}\` on its own, after the results of your other tools.` };
        send({ type: "run.agent.tool_call", ...base, at: at(), name: call.name, ok: result.ok, ...(!result.ok && { error: result.content }) });
        results.push({ role: "tool", toolCallId: call.id, content: result.content });
      }
      messages = [...messages, { role: "assistant", content: completion.text, toolCalls: completion.toolCalls }, ...results];
      continue;
    }
    const outcome = withCheckedData(checkTurn(turn, completion), deps, completion);
    switch (outcome.kind) {
      case "answer":
        return send({ type: "run.agent.answered", ...base, at: at(), content: outcome.content, ...(outcome.data !== undefined && { data: outcome.data }) });
      case "vote":
        return send({ type: "run.agent.voted", ...base, at: at(), label: outcome.label, target: turn.rules.versions[outcome.label]!, reason: outcome.reason });
      case "present":
        return send({ type: "run.agent.presented", ...base, at: at(), content: outcome.content, ...(outcome.data !== undefined && { data: outcome.data }) });
      case "stopped":
        throw modelError(outcome.reason, { agentId: turn.agentId, backend: client.backend, model: completion.model }, outcome.message);
      case "invalid": {
        const name = completion.toolCalls[0]?.name ?? "(text)";
        send({ type: "run.agent.tool_call", ...base, at: at(), name, ok: false, error: outcome.message });
        lastProblem = outcome.message;
        lastAboutData = outcome.aboutData === true;
        messages = [...messages, ...repairMessages(completion, outcome.message, outcome.toolCallId)];
        attempt++;
      }
    }
  }
  throw new ModelApiError(
    "bad_request",
    `agent \`${turn.agentId}\` (${backendAndModel(client.backend, lastModel)}) made an invalid reply twice; the second: ${lastProblem} ${
      lastAboutData ? "Check that the step's `output` schema is one the answers can fill (say what its fields mean in the task), or use another model for this agent." : "Check that this model can call tools, or use another model for this agent."
    }`,
  );
}

// The person's notes as one user message before the round's instructions: after the stable task block, so it stays cached.
function withNotes(turn: AgentTurn, notes: { text: string }[]): AgentTurn {
  const note: ChatMessage = { role: "user", content: notes.map((n) => `# A note from the person\n\n${n.text}`).join("\n\n") };
  return { ...turn, messages: [...turn.messages.slice(0, -1), note, ...turn.messages.slice(-1)] };
}

// The turn with the workspace tools offered, its layout described, and where to write given to offline agents.
function withTools(turn: AgentTurn, tools: AgentTools): AgentTurn {
  const last = turn.messages.at(-1);
  const messages =
    tools.brief && last?.role === "user" ? [...turn.messages.slice(0, -1), { role: "user" as const, content: `${last.content}\n\n${tools.brief}` }] : turn.messages;
  return { ...turn, messages, tools: [...turn.tools, ...tools.specs], hints: { ...turn.hints, ...(tools.writable && { writable: tools.writable }) } };
}

// An answer whose structured data does not fit the run's schema is invalid: the agent gets the repair turn.
function withCheckedData(outcome: TurnOutcome, deps: AgentActorDeps, completion: Completion): TurnOutcome {
  if (outcome.kind !== "answer" || !deps.checkData) return outcome;
  const toolCallId = completion.toolCalls[0]?.id;
  if (outcome.data === undefined) {
    return { kind: "invalid", aboutData: true, message: "Your answer has no `data`: call `new_answer` again with `data` matching its schema.", ...(toolCallId && { toolCallId }) };
  }
  const checked = deps.checkData(outcome.data);
  if (!checked.ok) return { kind: "invalid", aboutData: true, message: `The \`data\` of your answer does not match its schema: ${checked.message}. Call \`new_answer\` again with corrected \`data\`.`, ...(toolCallId && { toolCallId }) };
  return { ...outcome, data: checked.value };
}

// The agent's own invalid turn, then what was wrong with it: a tool result when it called a tool, else a user message.
function repairMessages(completion: Completion, problem: string, toolCallId?: string): ChatMessage[] {
  const assistant: ChatMessage = { role: "assistant", content: completion.text, ...(completion.toolCalls.length && { toolCalls: completion.toolCalls }) };
  const others = completion.toolCalls.filter((c) => c.id !== toolCallId).map((c) => ({ role: "tool" as const, toolCallId: c.id, content: "Not run: only one tool call is taken per turn." }));
  if (toolCallId) return [assistant, { role: "tool", toolCallId, content: `Error: ${problem}` }, ...others];
  return [assistant, ...others, { role: "user", content: problem }];
}

async function callModel(
  client: ModelClient,
  turn: AgentTurn,
  messages: ChatMessage[],
  deps: AgentActorDeps,
  signal: AbortSignal,
  send: (e: RunEvent) => void,
): Promise<Completion> {
  return withRetries(
    async () => {
      // The call's signal: aborted by the turn's (its reason kept) or by the call timeout, whichever comes first.
      // A listener of its own, not AbortSignal.any(), which cost 2% of a run's CPU.
      const call = new AbortController();
      const follow = () => call.abort(signal.reason);
      let timedOut = false;
      if (signal.aborted) follow();
      else signal.addEventListener("abort", follow, { once: true });
      const timers = deps.callTimers?.(turn.agentId, turn) ?? deps.clock;
      const handle = timers.setTimeout(() => {
        timedOut = !call.signal.aborted;
        call.abort(new Error("call timeout"));
      }, turn.callTimeoutMs);
      try {
        return await client.complete({
          system: turn.system,
          messages,
          tools: turn.tools,
          signal: call.signal,
          purpose: turn.phase,
          hints: turn.hints,
        });
      } catch (error) {
        if (timedOut && !signal.aborted) {
          const site = { agentId: turn.agentId, backend: client.backend, model: client.model };
          throw modelError("timeout", site, `no reply within ${turn.callTimeoutMs / 1000} s (\`coordination.timeouts.call\`)`, { cause: error });
        }
        throw error;
      } finally {
        timers.clearTimeout(handle);
        signal.removeEventListener("abort", follow);
      }
    },
    {
      clock: deps.clock,
      signal,
      ...(deps.retry && { policy: deps.retry }),
      ...(deps.random && { random: deps.random }),
      onRetry: ({ attempt, delayMs, error }) =>
        send({ type: "run.agent.retry", agentId: turn.agentId, round: turn.round, at: deps.clock.now(), attempt, delay_ms: delayMs, error: error.detail }),
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
