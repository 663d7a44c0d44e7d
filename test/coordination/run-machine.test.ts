import { describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import { SimulatedClock } from "../../framework/clock.ts";
import type { BackendConfig } from "../../framework/config/config-schema.ts";
import { agentTurns, createAgentActor } from "../../framework/coordination/agent-actor.ts";
import type { RunContext, RunSettings } from "../../framework/coordination/run-context.ts";
import { bindRun, createRunMachine } from "../../framework/coordination/run-machine.ts";
import type { CompletionRequest, ModelClient } from "../../framework/models/model.ts";
import { createScriptedClient } from "../../framework/models/scripted/scripted-client.ts";

const settings: RunSettings = {
  mode: "multi",
  maxRounds: 4,
  refinement: true,
  voting: "balanced",
  novelty: 0.9,
  maxAnswersPerAgent: 3,
  presentation: true,
  timeouts: { run: 600_000, generation: 60_000, voting: 60_000, presentation: 60_000, call: 60_000, idle: 60_000 },
  retry: { retries: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 },
};

function start(backends: Record<string, Partial<BackendConfig>>, options: { cost?: number; budgetUsd?: number; auto?: boolean } = {}) {
  const clock = new SimulatedClock({ auto: options.auto ?? true });
  const aborted: string[] = [];
  const clients = new Map<string, ModelClient>();
  for (const [id, b] of Object.entries(backends)) {
    const inner = createScriptedClient(id, { type: "scripted", latency_ms: 100, ...b }, { clock });
    clients.set(id, {
      ...inner,
      complete: (request: CompletionRequest) => {
        request.signal?.addEventListener("abort", () => aborted.push(id));
        return inner.complete(request);
      },
    });
  }
  const machine = createRunMachine(clock).provide({
    actors: { agent: createAgentActor({ client: (id) => clients.get(id)!, clock, cost: () => options.cost ?? 0 }) },
  });
  const actor = createActor(machine, {
    clock,
    input: {
      runId: "test",
      task: "Design a cache",
      agents: Object.keys(backends).map((id) => ({ id })),
      settings: { ...settings, ...(options.budgetUsd !== undefined && { budgetUsd: options.budgetUsd }) },
    },
  });
  return { clock, actor, aborted, done: () => toPromise(actor.start()) as Promise<RunContext> };
}

describe("createRunMachine()", () => {
  it("builds the machine once per clock and runs two runs on it side by side, each with its own agents bound", async () => {
    const clock = new SimulatedClock();
    expect(createRunMachine(clock)).toBe(createRunMachine(clock));
    expect(createRunMachine(new SimulatedClock())).not.toBe(createRunMachine(clock));
    const client = (id: string) => createScriptedClient(id, { type: "scripted", latency_ms: 100 }, { clock });
    const actorOf = (runId: string, ids: string[]) => {
      const clients = new Map(ids.map((id) => [id, client(id)] as const));
      const actor = createActor(createRunMachine(clock), { clock, input: { runId, task: "Design a cache", agents: ids.map((id) => ({ id })), settings } });
      bindRun(actor, { agent: agentTurns({ client: (id) => clients.get(id)!, clock, cost: () => 0 }) });
      return actor;
    };
    const actors = [actorOf("one", ["alpha", "beta"]), actorOf("two", ["gamma"])];
    // Bound, not provided: both run on the one definition, none built for them.
    for (const actor of actors) expect(actor.logic).toBe(createRunMachine(clock));
    const [one, two] = (await Promise.all(actors.map((actor) => toPromise(actor.start())))) as [RunContext, RunContext];
    expect(one).toMatchObject({ runId: "one", status: "completed" });
    expect(Object.keys(one.agentStates)).toEqual(["alpha", "beta"]);
    expect(two).toMatchObject({ runId: "two", status: "completed", winner: "gamma" });
    expect(Object.keys(two.agentStates)).toEqual(["gamma"]);
  });

  it("keeps a context that survives a JSON round trip unchanged", async () => {
    const { done } = start({ alpha: {}, beta: {} });
    const context = await done();
    expect(JSON.parse(JSON.stringify(context))).toEqual(context);
  });

  it("finalizes as interrupted on run.cancel and aborts the calls in flight", async () => {
    const { actor, clock, aborted, done } = start({ alpha: { hang: true }, beta: { hang: true } }, { auto: false });
    const finished = done();
    await clock.advance(1_000);
    expect(actor.getSnapshot().value).toBe("generation");
    actor.send({ type: "run.cancel", status: "interrupted" });
    const context = await finished;
    expect(context).toMatchObject({ status: "interrupted", statusReason: "interrupted by the user", finalSettled: false });
    expect(aborted.sort()).toEqual(["alpha", "beta"]);
    expect(clock.now()).toBe(1_000);
  });

  it("ignores run.cancel once finalization has begun", async () => {
    const { actor, done } = start({ alpha: {} });
    const context = await done();
    actor.send({ type: "run.cancel", status: "cancelled" });
    expect(context.status).toBe("completed");
  });

  it("ends with budget_exceeded, keeping the best answer, when the cost crosses budget.usd", async () => {
    // Each call costs $0.10: the three generation calls reach $0.30, the first voting call crosses $0.35.
    const { done } = start({ alpha: {}, beta: {}, gamma: {} }, { cost: 0.1, budgetUsd: 0.35 });
    const context = await done();
    expect(context.status).toBe("budget_exceeded");
    expect(context.usage.llm_calls).toBe(4);
    expect(context.usage.cost_usd).toBeCloseTo(0.4);
    expect(context.finalAnswer).toBe(context.answers.find((a) => a.version === context.winnerVersion)!.content);
  });

  it("skips the presentation when coordination.presentation is false", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", { type: "scripted", latency_ms: 10 }, { clock });
    const machine = createRunMachine(clock).provide({ actors: { agent: createAgentActor({ client: () => client, clock }) } });
    const actor = createActor(machine, { clock, input: { runId: "t", task: "x", agents: [{ id: "alpha" }], settings: { ...settings, presentation: false } } });
    const seen: string[] = [];
    actor.subscribe((s) => seen.push(JSON.stringify(s.value)));
    const context = (await toPromise(actor.start())) as RunContext;
    expect(seen).not.toContain('"presentation"');
    expect(context).toMatchObject({ status: "completed", presented: false, finalSettled: true, winner: "alpha" });
  });
});
