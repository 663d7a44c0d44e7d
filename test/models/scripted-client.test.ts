import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { backendSchema, type BackendConfig } from "../../framework/config/config-schema.ts";
import { coordinationTools } from "../../framework/coordination/coordination-tools.ts";
import { ModelApiError, RateLimitError } from "../../framework/errors.ts";
import type { Completion, CompletionRequest, TurnHints } from "../../framework/models/model.ts";
import { createScriptedClient } from "../../framework/models/scripted/scripted-client.ts";

// A backend config as loadConfig would produce it (defaults applied, unknown fields refused).
function backend(input: Record<string, unknown>): BackendConfig {
  return backendSchema.parse({ type: "scripted", ...input });
}

const bothTools = coordinationTools({ newAnswer: true, vote: true });
const answerOnly = coordinationTools({ newAnswer: true, vote: false });

function request(extra: Partial<CompletionRequest> = {}): CompletionRequest {
  return { system: "You are a careful engineer.", messages: [{ role: "user", content: "# Task\n\nDesign a cache." }], tools: bothTools, ...extra };
}

function hints(extra: Partial<TurnHints> = {}): TurnHints {
  return { agentId: "alpha", phase: "generation", round: 1, task: "Design a cache for the API", answers: [], ...extra };
}

// Runs `promise` to its end and returns the rejection, failing the test if it resolves.
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

function toolCallOf(completion: Completion): { name: string; arguments: unknown } {
  expect(completion.toolCalls).toHaveLength(1);
  const call = completion.toolCalls[0]!;
  expect(call.rawArguments).toBe(JSON.stringify(call.arguments));
  return { name: call.name, arguments: call.arguments };
}

describe("createScriptedClient()", () => {
  it("names its backend and model", () => {
    const clock = new SimulatedClock();
    expect(createScriptedClient("alpha", backend({}), { clock })).toMatchObject({ backend: "scripted", model: "scripted" });
    expect(createScriptedClient("alpha", backend({ model: "tiny" }), { clock }).model).toBe("tiny");
  });

  it("plays the script's turns in order", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient(
      "alpha",
      backend({
        script: [
          { answer: "42" },
          { answer: "43", data: { n: 43 } },
          { vote: "B", reason: "it is right" },
          { vote: "C" },
          { tool: "read_file", args: { path: "notes.md" } },
          { tool: "list_files" },
          { text: "just text" },
        ],
      }),
      { clock },
    );

    const answer = await client.complete(request());
    expect(toolCallOf(answer)).toEqual({ name: "new_answer", arguments: { content: "42" } });
    expect(answer.stopReason).toBe("tool_use");
    expect(answer.text).toBe("");
    expect(toolCallOf(await client.complete(request()))).toEqual({ name: "new_answer", arguments: { content: "43", data: { n: 43 } } });
    expect(toolCallOf(await client.complete(request()))).toEqual({ name: "vote", arguments: { answer: "B", reason: "it is right" } });
    expect(toolCallOf(await client.complete(request()))).toEqual({ name: "vote", arguments: { answer: "C", reason: "" } });
    expect(toolCallOf(await client.complete(request()))).toEqual({ name: "read_file", arguments: { path: "notes.md" } });
    expect(toolCallOf(await client.complete(request()))).toEqual({ name: "list_files", arguments: {} });

    const text = await client.complete(request());
    expect(text).toMatchObject({ text: "just text", toolCalls: [], stopReason: "end", model: "scripted" });
  });

  it("gives each tool call an id from the call number", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({ script: [{ text: "one" }, { answer: "two" }] }), { clock });
    await client.complete(request());
    expect((await client.complete(request())).toolCalls[0]?.id).toBe("call_2");
  });

  it("replies to an answer turn with plain text when no tools are offered", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({ script: [{ answer: "the final answer" }] }), { clock });
    const turn = await client.complete(request({ tools: [] }));
    expect(turn).toMatchObject({ text: "the final answer", toolCalls: [], stopReason: "end" });
  });

  it("improvises an answer with new_answer in generation once the script runs out", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({ script: [{ text: "scripted" }] }), { clock });
    await client.complete(request({ hints: hints() }));
    const call = toolCallOf(await client.complete(request({ tools: answerOnly, hints: hints() })));
    expect(call.name).toBe("new_answer");
    const content = (call.arguments as { content: string }).content;
    expect(content.startsWith("## Design a cache for the API\n\n")).toBe(true);
    expect(content.endsWith("\n\n— alpha")).toBe(true);
  });

  it("improvises a vote for the longest answer that is not its own", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({}), { clock });
    const answers = [
      { label: "A", content: "mine is by far the longest answer of all of them here" },
      { label: "B", content: "short one" },
      { label: "C", content: "a somewhat longer answer" },
    ];
    const turn = await client.complete(request({ hints: hints({ phase: "voting", round: 2, ownLabel: "A", answers }) }));
    expect(toolCallOf(turn)).toEqual({ name: "vote", arguments: { answer: "C", reason: "Answer C is the most complete (4 words)." } });
  });

  it("votes for the earliest label when the longest answers are equally long", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({}), { clock });
    const answers = [
      { label: "A", content: "one two" },
      { label: "B", content: "three four" },
      { label: "C", content: "five six" },
    ];
    const turn = await client.complete(request({ hints: hints({ phase: "voting", round: 2, ownLabel: "A", answers }) }));
    expect(toolCallOf(turn)).toEqual({ name: "vote", arguments: { answer: "B", reason: "Answer B is the most complete (2 words)." } });
  });

  it("improvises a new answer while voting when no vote tool is offered", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({}), { clock });
    const answers = [{ label: "B", content: "another agent's answer" }];
    const call = toolCallOf(await client.complete(request({ tools: answerOnly, hints: hints({ phase: "voting", round: 2, ownLabel: "A", answers }) })));
    expect(call.name).toBe("new_answer");
  });

  it("presents its own current answer as text when improvising a presentation", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({}), { clock });
    const answers = [
      { label: "A", content: "my answer" },
      { label: "B", content: "their answer" },
    ];
    const turn = await client.complete(request({ tools: [], hints: hints({ phase: "presentation", round: 3, ownLabel: "A", answers }) }));
    expect(turn).toMatchObject({ text: "my answer", toolCalls: [], stopReason: "end" });
  });

  it("replies with placeholder text when the script has run out and there are no hints", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({}), { clock });
    expect(await client.complete(request())).toMatchObject({ text: "(scripted reply)", toolCalls: [], stopReason: "end" });
  });

  it("plays the offline orchestrator once its script runs out and launch_run is offered", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("orchestrator", backend({ script: [{ text: "Hello." }] }), { clock });
    const tools = ["launch_run", "run_status", "read_file"].map((name) => ({ name, description: name, parameters: { type: "object" } }));
    const ask = (content: string) => client.complete({ system: "# Project: demo", messages: [{ role: "user", content }], tools });
    expect(await ask("What's the current status?")).toMatchObject({ text: "Hello.", toolCalls: [] });
    expect(toolCallOf(await ask("What's the current status?"))).toEqual({ name: "run_status", arguments: {} });
    expect(toolCallOf(await ask("Add caching."))).toEqual({ name: "launch_run", arguments: { task: "Add caching.", agent_mode: "multi", planning_mode: true } });
  });

  it("answers a compaction request with the first lines of the messages folded in, and streams it to onText", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("orchestrator", backend({}), { clock });
    const deltas: string[] = [];
    const content = "(summarise)\n\n# Messages to fold in\n\nPerson: Add caching.\nOrchestrator:  [calls launch_run {}]\nTool launch_run: {}\nOrchestrator: The team recommends 3 steps.";
    const turn = await client.complete({ system: "You summarise.", messages: [{ role: "user", content }], onText: (d) => deltas.push(d) });
    expect(turn).toMatchObject({ text: "Person: Add caching.\nOrchestrator: The team recommends 3 steps.", toolCalls: [], stopReason: "end" });
    expect(deltas).toEqual([turn.text]);
  });

  it("takes exactly latency_ms of simulated time", async () => {
    const clock = new SimulatedClock({ auto: false });
    const client = createScriptedClient("alpha", backend({ latency_ms: 250, script: [{ text: "done" }] }), { clock });
    let settled = false;
    const pending = client.complete(request()).finally(() => {
      settled = true;
    });
    await clock.advance(249);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(settled).toBe(true);
    expect((await pending).text).toBe("done");
    expect(clock.now()).toBe(250);
  });

  it("fails the first `times` calls with the configured kind, then answers", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({ fail: { times: 2, kind: "overloaded" }, script: [{ text: "ok" }] }), { clock });
    for (const n of [1, 2]) {
      const error = await rejectionOf(client.complete(request()));
      expect(error).toBeInstanceOf(ModelApiError);
      expect(error).toMatchObject({ kind: "overloaded", retryable: true, message: `scripted agent \`alpha\`: simulated overloaded error on call ${n}` });
    }
    expect((await client.complete(request())).text).toBe("ok");
  });

  it("fails every call with `times: always`", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({ fail: { times: "always", kind: "auth" } }), { clock });
    for (let i = 0; i < 4; i++) {
      expect(await rejectionOf(client.complete(request()))).toMatchObject({ kind: "auth", retryable: false });
    }
  });

  it("throws a RateLimitError with retryAfterMs for a simulated rate limit", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({ fail: { times: 1, kind: "rate_limit", retry_after_ms: 1500 } }), { clock });
    const error = await rejectionOf(client.complete(request()));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ kind: "rate_limit", status: 429, retryAfterMs: 1500, retryable: true });
  });

  it("hangs until the AbortSignal aborts, then rejects with kind aborted", async () => {
    const clock = new SimulatedClock({ auto: false });
    const client = createScriptedClient("slow", backend({ hang: true }), { clock });
    const controller = new AbortController();
    let settled = false;
    const pending = client.complete(request({ signal: controller.signal })).finally(() => {
      settled = true;
    });
    await clock.advance(3_600_000);
    expect(settled).toBe(false);

    const reason = new Error("deadline");
    controller.abort(reason);
    const error = await rejectionOf(pending);
    expect(error).toBeInstanceOf(ModelApiError);
    expect(error).toMatchObject({ kind: "aborted", message: "scripted agent `slow`: call aborted", cause: reason });
  });

  it("rejects with kind aborted when aborted during its latency, leaving no timer behind", async () => {
    const clock = new SimulatedClock({ auto: false });
    const client = createScriptedClient("alpha", backend({ latency_ms: 500 }), { clock });
    const controller = new AbortController();
    const pending = client.complete(request({ signal: controller.signal }));
    await clock.advance(100);
    controller.abort();
    expect(await rejectionOf(pending)).toMatchObject({ kind: "aborted" });
    expect(clock.pending).toBe(0);
  });

  it("rejects at once with kind aborted when the signal is already aborted", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({ script: [{ text: "never" }] }), { clock });
    expect(await rejectionOf(client.complete(request({ signal: AbortSignal.abort() })))).toMatchObject({ kind: "aborted" });
  });

  it("estimates usage from the request and the reply", async () => {
    const clock = new SimulatedClock();
    const client = createScriptedClient("alpha", backend({ script: [{ answer: "forty-two" }] }), { clock });
    const { usage } = await client.complete(request());
    expect(usage.estimated).toBe(true);
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBe(Math.ceil(JSON.stringify({ content: "forty-two" }).length / 4));
    expect(usage.cached_tokens).toBe(0);
  });

  it("gives identical replies from two clients with the same config", async () => {
    const config = backend({ latency_ms: 30, script: [{ answer: "first" }, { vote: "B", reason: "best" }] });
    const play = async () => {
      const clock = new SimulatedClock();
      const client = createScriptedClient("alpha", config, { clock });
      const turns: Completion[] = [];
      turns.push(await client.complete(request({ hints: hints() })));
      turns.push(await client.complete(request({ hints: hints({ phase: "voting", round: 2, ownLabel: "A", answers: [{ label: "B", content: "b" }] }) })));
      turns.push(await client.complete(request({ hints: hints({ round: 3 }) })));
      turns.push(await client.complete(request({ tools: [], hints: hints({ phase: "presentation", round: 4, ownLabel: "A", answers: [] }) })));
      return { turns, elapsed: clock.now() };
    };
    const first = await play();
    expect(await play()).toEqual(first);
    expect(first.elapsed).toBe(120);
  });

  it("gives different agents different default answers to the same task", async () => {
    const clock = new SimulatedClock();
    const contents = new Set<string>();
    for (const id of ["alpha", "beta", "gamma"]) {
      const client = createScriptedClient(id, backend({}), { clock });
      const call = toolCallOf(await client.complete(request({ tools: answerOnly, hints: hints({ agentId: id }) })));
      // Compare without the signature line, so the bodies themselves must differ.
      contents.add((call.arguments as { content: string }).content.replace(/\n\n— \w+$/, ""));
    }
    expect(contents.size).toBe(3);
  });
});
