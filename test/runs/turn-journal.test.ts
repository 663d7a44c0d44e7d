import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import type { AgentTools } from "../../framework/coordination/agent-actor.ts";
import type { Completion, CompletionRequest, ModelClient } from "../../framework/models/model.ts";
import { createTurnJournal, type TurnRecord } from "../../framework/runs/turn-journal.ts";

// Workspace tools that say what they ran.
function toolsThatRun(ran: string[]): AgentTools {
  return {
    specs: [],
    has: () => true,
    call: async (name, args) => {
      ran.push(name);
      return { ok: true, content: `${name} ran with ${JSON.stringify(args)}` };
    },
  };
}
const cutOff = (name: string, call: number): TurnRecord & { t: number } => ({ t: 5, type: "run.turn", agentId: "alpha", round: 1, phase: "generation", call, kind: "tool", state: "started", name });

describe("createTurnJournal()", () => {
  it("asks again an ask_human the kill cut off, and does not run again a run_command it cut off", async () => {
    const written: TurnRecord[] = [];
    const journal = createTurnJournal({ write: (r) => written.push(r), frozen: () => false, clock: new SimulatedClock(), t: () => 10, recorded: [cutOff("ask_human", 0), cutOff("run_command", 1)] });
    const ran: string[] = [];
    const tools = journal.tools("alpha", "generation", 1, toolsThatRun(ran));
    expect(await tools.call("ask_human", { question: "JWT or session?" })).toEqual({ ok: true, content: 'ask_human ran with {"question":"JWT or session?"}' });
    expect(await tools.call("run_command", { command: "npm test" })).toEqual({
      ok: false,
      content: "Not run again: this `run_command` call was cut off when the run stopped and may or may not have taken effect. Check the workspace, then call it again if it is still needed.",
    });
    expect(ran).toEqual(["ask_human"]);
  });

  it("records a reply's tool calls by what the model sent (raw_arguments) and a started tool call without its arguments, and replays the arguments parsed", async () => {
    const content = "x".repeat(5000);
    const raw = JSON.stringify({ path: "notes.md", content });
    const reply: Completion = { text: "", toolCalls: [{ id: "call_1", name: "write_file", arguments: JSON.parse(raw), rawArguments: raw }], usage: { input_tokens: 1, output_tokens: 1, cached_tokens: 0 }, stopReason: "tool_use", model: "m" };
    const model: ModelClient = { backend: "openai", model: "m", complete: async () => reply };
    const written: (TurnRecord & { t: number })[] = [];
    const journal = createTurnJournal({ write: (r) => written.push({ ...r, t: 0 }), frozen: () => false, clock: new SimulatedClock(), t: () => 0 });
    const request: CompletionRequest = { system: "s", messages: [], tools: [], hints: { agentId: "alpha", task: "t", answers: [], phase: "generation", round: 1 } };
    await journal.client("alpha", model).complete(request);
    await journal.tools("alpha", "generation", 1, toolsThatRun([])).call("write_file", JSON.parse(raw));
    expect(written.map((r) => (r.kind === "model" ? r.reply!.tool_calls : r))).toEqual([
      [{ id: "call_1", name: "write_file", raw_arguments: raw }],
      { type: "run.turn", agentId: "alpha", round: 1, phase: "generation", call: 0, kind: "tool", name: "write_file", state: "started", t: 0 },
      { type: "run.turn", agentId: "alpha", round: 1, phase: "generation", call: 0, kind: "tool", name: "write_file", state: "done", ok: true, content: `write_file ran with ${raw}`, t: 0 },
    ]);
    // The content is in the journal once in the model record (and in the tool's result, which says what it ran with).
    expect(JSON.stringify(written.slice(0, 2)).split(content).length - 1).toBe(1);
    const replaying = createTurnJournal({ write: () => {}, frozen: () => false, clock: new SimulatedClock(), t: () => 0, recorded: written });
    const replayed = await replaying.client("alpha", { ...model, complete: async () => { throw new Error("not called"); } }).complete(request);
    expect(replayed.toolCalls).toEqual(reply.toolCalls);
  });
});
