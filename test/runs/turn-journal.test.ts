import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import type { AgentTools } from "../../framework/coordination/agent-actor.ts";
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
});
