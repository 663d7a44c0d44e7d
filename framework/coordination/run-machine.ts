import {
  and,
  assign,
  not,
  enqueueActions,
  fromCallback,
  fromPromise,
  setup,
  type ActorSystem,
  type AnyEventObject,
  type CallbackLogicFunction,
  type EventObject,
} from "xstate";
import type { Clock } from "../clock.ts";
import { buildTurn, votableLabels, type AgentTurn } from "./prompts.ts";
import {
  currentAnswers,
  labelFor,
  type AgentState,
  type RunContext,
  type RunEvent,
  type RunInput,
  type RunStatus,
} from "./run-context.ts";
import { tallyVotes } from "./tally-votes.ts";

// setTimeout's ceiling: longer delays would fire at once.
const MAX_DELAY = 2 ** 31 - 1;

type EventOf<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;
type AgentEvent = Exclude<RunEvent, { type: "run.cancel" }>;

/**
 * The run machine (docs/architecture.md §3): planning → generation → voting (↺ rounds) → presentation →
 * finalization, with the watchdogs. Its context is plain JSON; time comes from `clock`.
 * Give each run's actor its `agent` turns (and optionally `prepare` and `finalize`) with bindRun() before
 * starting it. The definition is built once per clock and shared: runs on the same clock get the very same
 * machine (it holds no per-run state; each run's things come through `input` and bindRun()). `provide()`
 * works too, but builds the whole definition again.
 *
 * @example
 * const actor = createActor(createRunMachine(clock), { input, clock });
 * bindRun(actor, { agent: agentTurns({ client, clock }) });
 * actor.start();
 */
export function createRunMachine(clock: Clock): RunMachine {
  let machine = machines.get(clock);
  if (!machine) {
    machine = buildRunMachine(clock);
    machines.set(clock, machine);
  }
  return machine;
}

/** The run machine's type, as createRunMachine() returns it. */
export type RunMachine = ReturnType<typeof buildRunMachine>;

// The machine of each clock, built at its first run (most processes have one: the system clock).
const machines = new WeakMap<Clock, RunMachine>();

/** One run's own implementations of the shared machine's actors (bindRun()). */
export interface RunImplementations {
  /** Plays an agent's turn (agentTurns()): sends its events back, returns what stops it. */
  agent: CallbackLogicFunction<EventObject, AnyEventObject, AgentTurn>;
  /** Before generation: the agents' workspaces. */
  prepare?: (context: RunContext) => Promise<void>;
  /** After the outcome: the final answer written, the winner's changes applied. */
  finalize?: (context: RunContext) => Promise<void>;
}

// Any run's system, whatever its actors' ids.
type AnyActorSystem = ActorSystem<any>;

// Each run's implementations, by its actor system (one per root actor, shared by the agents it invokes).
const bound = new WeakMap<AnyActorSystem, RunImplementations>();

/**
 * Gives the run `actor` (made from createRunMachine()'s machine, not yet started) its own implementations of
 * the machine's actors, without building the definition again as `provide()` does.
 *
 * @example
 * const actor = createActor(createRunMachine(clock), { input, clock });
 * bindRun(actor, { agent: agentTurns({ client, clock }), finalize: async (context) => save(context) });
 */
export function bindRun(actor: { system: AnyActorSystem }, implementations: RunImplementations): void {
  bound.set(actor.system, implementations);
}

function boundTo(system: AnyActorSystem): RunImplementations {
  const implementations = bound.get(system);
  if (!implementations) throw new Error("the run machine needs its agent turns: bindRun(actor, { agent }) before actor.start()");
  return implementations;
}

function buildRunMachine(clock: Clock) {
  const remaining = (deadline: number) => Math.min(MAX_DELAY, Math.max(0, deadline - clock.now()));
  const update = (context: RunContext, agentId: string, patch: Partial<AgentState>) => ({
    ...context.agentStates,
    [agentId]: { ...context.agentStates[agentId]!, ...patch },
  });
  const without = (list: string[], id: string) => list.filter((x) => x !== id);

  return setup({
    types: {} as { context: RunContext; input: RunInput; events: RunEvent; output: RunContext },
    actors: {
      agent: fromCallback<EventObject, AgentTurn>((args) => boundTo(args.system).agent(args)),
      prepare: fromPromise<void, RunContext>(async ({ input, system }) => bound.get(system)?.prepare?.(input)),
      finalize: fromPromise<void, RunContext>(async ({ input, system }) => bound.get(system)?.finalize?.(input)),
    },
    delays: {
      runDeadline: ({ context }) => remaining(context.runDeadline),
      phaseDeadline: ({ context }) => remaining(context.phaseDeadline),
    },
    guards: {
      finishing: ({ context }) => context.status !== undefined,
      pendingTurn: ({ context, event }) => {
        const e = event as AgentEvent;
        return e.round === context.round && context.pending.includes(e.agentId);
      },
      roundClosed: ({ context }) => context.pending.length === 0,
      noAnswers: ({ context }) => context.answers.length === 0,
      skipVoting: ({ context }) => context.settings.mode === "single" || context.settings.maxRounds < 2,
      presents: ({ context }) => context.settings.presentation && context.settings.mode === "multi",
      votingDone: ({ context }) => {
        const { settings } = context;
        if (context.phaseExpired || context.round >= settings.maxRounds || !settings.refinement) return true;
        if (context.roundNewAnswers > 0) return false;
        // Nothing new: done if someone voted, or if nobody can be expected to do better next round.
        const retryable = context.participants.some((id) => context.agentStates[id]!.status === "failed" && !context.agentStates[id]!.out);
        return context.roundVotes > 0 || !retryable;
      },
      crossesBudget: ({ context, event }) => {
        const e = event as EventOf<"run.agent.usage">;
        const budget = context.settings.budgetUsd;
        return context.status === undefined && budget !== undefined && e.cost_usd !== null && (context.usage.cost_usd ?? 0) + e.cost_usd > budget;
      },
    },
    actions: {
      beginGeneration: assign(({ context }) => {
        const ids = context.settings.mode === "single" ? [context.agents[0]!.id] : context.agents.map((a) => a.id);
        return startTurns(context, ids, { round: 1, turnPhase: "generation", phaseDeadline: clock.now() + context.settings.timeouts.generation });
      }),
      beginVoting: assign(({ context }) => ({
        phaseDeadline: clock.now() + context.settings.timeouts.voting,
        phaseExpired: false,
      })),
      beginVotingRound: assign(({ context }) => {
        const ids = context.agents
          .filter((a) => {
            const state = context.agentStates[a.id]!;
            const canAnswer = context.settings.refinement && state.answerCount < context.settings.maxAnswersPerAgent;
            return !state.out && (canAnswer || votableLabels(context, a.label).length > 0);
          })
          .map((a) => a.id);
        const next = startTurns(context, ids, { round: context.round + 1, turnPhase: "voting" });
        // The first voting round follows generation; a later one is a restart: new answers came, so each agent goes again.
        if (context.round >= 2) for (const id of ids) next.agentStates[id]!.timesRestarted++;
        return next;
      }),
      decideWinner: assign(({ context }) => winnerOf(context)),
      beginPresentation: assign(({ context }) =>
        startTurns(context, context.winner ? [context.winner] : [], {
          round: context.round,
          turnPhase: "presentation",
          phaseDeadline: clock.now() + context.settings.timeouts.presentation,
          status: "presenting",
        }),
      ),
      spawnAgents: enqueueActions(({ context, enqueue }) => {
        for (const id of context.participants) {
          enqueue.spawnChild("agent", { id: childId(context, id), input: buildTurn(context, id, context.turnPhase) });
        }
      }),
      stopAgents: enqueueActions(({ context, enqueue }) => {
        for (const id of context.participants) enqueue.stopChild(childId(context, id));
      }),
      expirePending: assign(({ context }) => {
        const agentStates = { ...context.agentStates };
        const phase = context.turnPhase;
        for (const id of context.pending) {
          agentStates[id] = { ...agentStates[id]!, status: "timed_out", error: `no reply before the ${phase} deadline (coordination.timeouts.${phase})` };
        }
        return { agentStates, pending: [], phaseExpired: true };
      }),
      recordAnswer: assign(({ context, event }) => {
        const e = event as EventOf<"run.agent.answered">;
        const state = context.agentStates[e.agentId]!;
        const k = state.answerCount + 1;
        const version = `${e.agentId}.${k}`;
        const label = context.agents.find((a) => a.id === e.agentId)!.label;
        return {
          answers: [...context.answers, { version, agentId: e.agentId, label, k, round: e.round, at: e.at, content: e.content, ...(e.data !== undefined && { data: e.data }) }],
          agentStates: update(context, e.agentId, { status: "answered", answerCount: k, latestAnswer: version, vote: undefined, error: undefined }),
          pending: without(context.pending, e.agentId),
          roundNewAnswers: context.roundNewAnswers + 1,
        };
      }),
      recordVote: assign(({ context, event }) => {
        const e = event as EventOf<"run.agent.voted">;
        const state = context.agentStates[e.agentId]!;
        const target = e.target;
        const k = state.voteCount + 1;
        return {
          votes: [...context.votes, { voter: e.agentId, k, round: e.round, at: e.at, label: e.label, target, reason: e.reason }],
          agentStates: update(context, e.agentId, { status: "voted", voteCount: k, vote: target, error: undefined }),
          pending: without(context.pending, e.agentId),
          roundVotes: context.roundVotes + 1,
        };
      }),
      recordPresentation: assign(({ context, event }) => {
        const e = event as EventOf<"run.agent.presented">;
        return {
          finalAnswer: e.content,
          ...(e.data !== undefined && { finalData: e.data }),
          presented: true,
          agentStates: update(context, e.agentId, { status: "presented" }),
          pending: without(context.pending, e.agentId),
        };
      }),
      recordFailure: assign(({ context, event }) => {
        const e = event as EventOf<"run.agent.failed">;
        return {
          agentStates: update(context, e.agentId, { status: "failed", error: e.error, errorKind: e.kind, out: !e.retryable }),
          pending: without(context.pending, e.agentId),
        };
      }),
      recordUsage: assign(({ context, event }) => {
        const e = event as EventOf<"run.agent.usage">;
        const state = context.agentStates[e.agentId]!;
        const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
        return {
          agentStates: update(context, e.agentId, {
            tokens: {
              input_tokens: state.tokens.input_tokens + e.usage.input_tokens,
              output_tokens: state.tokens.output_tokens + e.usage.output_tokens,
              cached_tokens: state.tokens.cached_tokens + e.usage.cached_tokens,
            },
            costUsd: add(state.costUsd, e.cost_usd),
            llmCalls: state.llmCalls + 1,
          }),
          usage: {
            input_tokens: context.usage.input_tokens + e.usage.input_tokens,
            output_tokens: context.usage.output_tokens + e.usage.output_tokens,
            cached_tokens: context.usage.cached_tokens + e.usage.cached_tokens,
            cost_usd: add(context.usage.cost_usd, e.cost_usd),
            llm_calls: context.usage.llm_calls + 1,
          },
        };
      }),
      recordRetry: assign(({ context, event }) => {
        const e = event as EventOf<"run.agent.retry">;
        return { agentStates: update(context, e.agentId, { retries: context.agentStates[e.agentId]!.retries + 1 }) };
      }),
      markCancelled: assign(({ context, event }) => {
        const e = event as EventOf<"run.cancel">;
        const reason = e.reason ?? (e.status === "interrupted" ? "interrupted by the user" : "cancelled");
        return { status: e.status, statusReason: reason, ...cutOff(context, "stopped", `stopped: the run was ${e.status}`) };
      }),
      markRunTimeout: assign(({ context }) => {
        const reason = `the run's timeout of ${context.settings.timeouts.run / 1000} s passed (coordination.timeouts.run)`;
        return { status: "timeout" as RunStatus, statusReason: reason, ...cutOff(context, "timed_out", `no reply before ${reason}`) };
      }),
      markBudgetExceeded: assign(({ context }) => {
        const reason = `the run's cost crossed its budget of $${context.settings.budgetUsd} (budget.usd)`;
        return { status: "budget_exceeded" as RunStatus, statusReason: reason, ...cutOff(context, "stopped", `stopped: ${reason}`) };
      }),
      markNobodyAnswered: assign(({ context }) => {
        const states = Object.entries(context.agentStates);
        const timedOut = states.some(([, s]) => s.status === "timed_out");
        const errors = states.filter(([, s]) => s.error).map(([id, s]) => `${id}: ${s.error}`);
        return { status: (timedOut ? "timeout" : "failed") as RunStatus, statusReason: `no agent answered. ${errors.join("; ")}`.trim() };
      }),
      markPrepareFailed: assign(({ event }) => ({
        status: "failed" as RunStatus,
        statusReason: `planning failed: ${String((event as unknown as { error: unknown }).error)}`,
      })),
      settleResult: assign(({ context }) => {
        const status = context.status ?? "completed";
        if (context.answers.length === 0) return { status, finalSettled: false, pending: [] };
        const winner = winnerOf(context);
        const finalAnswer = context.presented ? context.finalAnswer : context.answers.find((a) => a.version === winner.winnerVersion)?.content;
        const finalData = context.presented && context.finalData !== undefined ? context.finalData : context.answers.find((a) => a.version === winner.winnerVersion)?.data;
        return { status, ...winner, finalAnswer, finalData, finalSettled: finalAnswer !== undefined, pending: [] };
      }),
      recordFinalizeError: assign(({ event }) => ({ error: `finalization failed: ${String((event as unknown as { error: unknown }).error)}` })),
    },
  }).createMachine({
    id: "run",
    context: ({ input }) => initialContext(input, clock.now()),
    initial: "planning",
    on: {
      "run.cancel": { guard: not("finishing"), target: ".finalization", actions: "markCancelled" },
      "run.agent.usage": [
        { guard: "crossesBudget", target: ".finalization", actions: ["recordUsage", "markBudgetExceeded"] },
        { actions: "recordUsage" },
      ],
      "run.agent.retry": { actions: "recordRetry" },
      "run.agent.answered": { guard: "pendingTurn", actions: "recordAnswer" },
      "run.agent.voted": { guard: "pendingTurn", actions: "recordVote" },
      "run.agent.presented": { guard: "pendingTurn", actions: "recordPresentation" },
      "run.agent.failed": { guard: "pendingTurn", actions: "recordFailure" },
    },
    after: {
      runDeadline: { guard: ({ context }) => context.status === undefined, target: ".finalization", actions: "markRunTimeout" },
    },
    states: {
      planning: {
        invoke: {
          src: "prepare",
          input: ({ context }) => context,
          onDone: "generation",
          onError: { target: "finalization", actions: "markPrepareFailed" },
        },
      },
      generation: {
        entry: ["beginGeneration", "spawnAgents"],
        exit: "stopAgents",
        after: { phaseDeadline: { actions: "expirePending" } },
        always: [
          { guard: and(["roundClosed", "noAnswers"]), target: "finalization", actions: "markNobodyAnswered" },
          { guard: and(["roundClosed", "skipVoting", "presents"]), target: "presentation" },
          { guard: and(["roundClosed", "skipVoting"]), target: "finalization" },
          { guard: "roundClosed", target: "voting" },
        ],
      },
      voting: {
        entry: "beginVoting",
        after: { phaseDeadline: { actions: "expirePending" } },
        initial: "round",
        states: {
          round: {
            entry: ["beginVotingRound", "spawnAgents"],
            exit: "stopAgents",
            always: [
              { guard: and(["roundClosed", "votingDone", "presents"]), target: "#run.presentation" },
              { guard: and(["roundClosed", "votingDone"]), target: "#run.finalization" },
              { guard: "roundClosed", target: "round", reenter: true },
            ],
          },
        },
      },
      presentation: {
        entry: ["decideWinner", "beginPresentation", "spawnAgents"],
        exit: "stopAgents",
        after: { phaseDeadline: { actions: "expirePending" } },
        always: { guard: "roundClosed", target: "finalization" },
      },
      finalization: {
        entry: "settleResult",
        invoke: {
          src: "finalize",
          input: ({ context }) => context,
          onDone: "done",
          onError: { target: "done", actions: "recordFinalizeError" },
        },
      },
      done: { type: "final" },
    },
    output: ({ context }) => context,
  });
}

function initialContext(input: RunInput, now: number): RunContext {
  const agents = input.agents.map((a, i) => ({ ...a, label: labelFor(i) }));
  const agentStates: Record<string, AgentState> = {};
  for (const a of agents) {
    agentStates[a.id] = {
      status: "waiting",
      answerCount: 0,
      voteCount: 0,
      out: false,
      tokens: { input_tokens: 0, output_tokens: 0, cached_tokens: 0 },
      costUsd: 0,
      llmCalls: 0,
      retries: 0,
      timesRestarted: 0,
    };
  }
  return {
    runId: input.runId,
    task: input.task,
    ...(input.context !== undefined && { context: input.context }),
    ...(input.files !== undefined && { files: input.files }),
    settings: input.settings,
    agents,
    startedAt: now,
    runDeadline: now + input.settings.timeouts.run,
    phaseDeadline: now + input.settings.timeouts.run,
    round: 0,
    turnPhase: "generation",
    pending: [],
    participants: [],
    roundNewAnswers: 0,
    roundVotes: 0,
    phaseExpired: false,
    answers: [],
    votes: [],
    agentStates,
    usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, llm_calls: 0 },
    voteCounts: {},
    presented: false,
    finalSettled: false,
  };
}

// Marks `ids` as working on a new turn and makes them the round's participants.
function startTurns(
  context: RunContext,
  ids: string[],
  patch: { round: number; turnPhase: RunContext["turnPhase"]; phaseDeadline?: number; status?: AgentState["status"] },
): Pick<RunContext, "round" | "turnPhase" | "pending" | "participants" | "roundNewAnswers" | "roundVotes" | "agentStates"> & Partial<RunContext> {
  const agentStates = { ...context.agentStates };
  for (const id of ids) agentStates[id] = { ...agentStates[id]!, status: patch.status ?? "working" };
  return {
    round: patch.round,
    turnPhase: patch.turnPhase,
    ...(patch.phaseDeadline !== undefined && { phaseDeadline: patch.phaseDeadline, phaseExpired: false }),
    pending: [...ids],
    participants: [...ids],
    roundNewAnswers: 0,
    roundVotes: 0,
    agentStates,
  };
}

function winnerOf(context: RunContext): Pick<RunContext, "winner" | "winnerVersion" | "winnerReason" | "voteCounts"> {
  const tally = tallyVotes(context);
  const reason = context.settings.mode === "single" ? "single agent" : tally.reason;
  return { winner: tally.winner, winnerVersion: tally.winnerVersion, winnerReason: reason, voteCounts: tally.counts };
}

// Ends the turns still pending when the run stops early, saying why on each agent.
function cutOff(context: RunContext, status: AgentState["status"], error: string): Pick<RunContext, "agentStates" | "pending"> {
  const agentStates = { ...context.agentStates };
  for (const id of context.pending) agentStates[id] = { ...agentStates[id]!, status, error };
  return { agentStates, pending: [] };
}

function childId(context: RunContext, agentId: string): string {
  return `${context.turnPhase}:${agentId}:${context.round}`;
}
