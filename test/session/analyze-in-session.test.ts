import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeRun } from "../../framework/analysis/analyze-run.ts";
import { SimulatedClock } from "../../framework/clock.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { openSession } from "../../framework/session/open-session.ts";
import type { SessionEvent } from "../../framework/session/session-types.ts";
import { circling } from "../fixtures/analysis/scenarios.ts";
import { tempDir } from "../project/temp-dir.ts";
import { playTurn } from "../support/session-turns.ts";

type Launched = Extract<SessionEvent, { type: "run.launched" }>;
const launched = (events: SessionEvent[]) => events.filter((e): e is Launched => e.type === "run.launched");
const reply = (events: SessionEvent[]) => (events.findLast((e) => e.type === "message") as Extract<SessionEvent, { type: "message" }>).content;

describe("analyze_run in a chat session (the offline orchestrator)", () => {
  it('"why was that slow?" analyzes the circling run and names the finding; "rerun with those settings" launches it with the recommended overrides, in fewer rounds', async () => {
    // The orchestrator's script launches the circling run; once it runs out, the offline policy answers.
    const session = await openSession({
      project: initProject("demo", tempDir()),
      config: { ...circling(), orchestrator: { backend: { type: "scripted", script: [{ tool: "analyze_run", args: {} }, { tool: "analyze_run", args: { run_id: "20261202-000000-000000000000" } }, { tool: "launch_run", args: { task: "Design a cache for the API" } }, { text: "The team has an answer." }] } }, interactive: { require_approval: "never" } },
      env: {},
      clock: new SimulatedClock(),
    });
    const [first] = launched(await playTurn(session, "Design a cache for the API"));
    expect(session.messages().filter((m) => m.role === "tool").slice(0, 2).map((m) => m.content)).toEqual([
      "Error: analyze_run: this session has no run yet, so there is nothing to analyze.",
      "Error: analyze_run `run_id`: no run 20261202-000000-000000000000 in this session; run_status lists them.",
    ]);
    expect((await analyzeRun(first!.log_dir)).metrics.rounds).toBe(6);

    const why = await playTurn(session, "why was that slow?");
    const calls = session.messages().filter((m) => m.role === "assistant" && m.tool_calls?.length).map((m) => m.tool_calls![0]!);
    expect(calls.at(-1)).toMatchObject({ name: "analyze_run", arguments: { run_id: first!.run_id } });
    const result = JSON.parse(session.messages().filter((m) => m.role === "tool").at(-1)!.content);
    expect(result.launch_run).toEqual({ coordination_overrides: { max_rounds: 2, voting: "lenient" }, agents: ["alpha", "beta"] });
    expect(launched(why)).toEqual([]);
    const answer = reply(why);
    expect(answer.split("\n").slice(0, 2)).toEqual([`Run ${first!.run_id} (6 rounds):`, `circling: ${result.findings[0].summary}`]);
    expect(answer).toContain('I recommend coordination.max_rounds: 2; coordination.voting: lenient; --agents alpha,beta. Say "rerun with those settings" to run it again with them.');

    const rerun = await playTurn(session, "rerun with those settings");
    const [second] = launched(rerun);
    expect(second!.args).toMatchObject({ task: "Design a cache for the API", coordination_overrides: { max_rounds: 2, voting: "lenient" }, agents: ["alpha", "beta"] });
    const description = JSON.parse(readFileSync(join(second!.log_dir, "run_description.json"), "utf8"));
    expect(description.options.settings).toMatchObject({ maxRounds: 2, voting: "lenient" });
    expect(description.agents.map((a: { id: string }) => a.id)).toEqual(["alpha", "beta"]);
    const again = await analyzeRun(second!.log_dir);
    expect(again.metrics.rounds).toBe(2);
    expect(again.winner).toBe("beta");
    expect(reply(rerun)).toMatch(new RegExp(`^I reran ${first!.run_id}'s task with coordination.max_rounds: 2; coordination.voting: lenient; --agents alpha,beta: completed, winner beta`));
    await session.close();
  });
});
