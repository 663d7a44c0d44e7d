import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { openSession } from "../../framework/session/open-session.ts";
import type { SessionEvent } from "../../framework/session/session-types.ts";
import { tempDir } from "../project/temp-dir.ts";
import { chatConfig as config, playTurn as turn } from "../support/session-turns.ts";


function project() {
  return initProject("demo", tempDir());
}

describe("openSession()", () => {
  it("answers directly without a run, and keeps the messages and session.json on disk", async () => {
    const p = project();
    const session = await openSession({ project: p, config: config([{ text: "The project has no runs yet." }]), env: {}, clock: new SimulatedClock() });
    const events = await turn(session, "What's the current status?");
    expect(events.filter((e) => e.type === "message")).toEqual([{ type: "message", role: "assistant", content: "The project has no runs yet." }]);
    expect(events.some((e) => e.type === "run.launched")).toBe(false);
    const record = JSON.parse(readFileSync(join(session.dir, "session.json"), "utf8"));
    expect(record).toMatchObject({ id: session.id, project: p.dir, title: "What's the current status?", turns: 1, runs: [] });
    const lines = readFileSync(join(session.dir, "messages.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.role, l.content])).toEqual([["user", "What's the current status?"], ["assistant", "The project has no runs yet."]]);
    expect(session.dir).toBe(join(p.dir, "sessions", session.id));
  });

  it("launches a single-agent run with the contract's defaults and returns its compact result to the orchestrator", async () => {
    const p = project();
    const session = await openSession({
      project: p,
      config: config([{ tool: "launch_run", args: { task: "Check the README", agent_mode: "single" } }, { text: "Checked." }]),
      env: {},
      clock: new SimulatedClock(),
    });
    const events = await turn(session, "Quick single-agent check is fine.");
    const launched = events.find((e) => e.type === "run.launched");
    expect(launched).toMatchObject({ type: "run.launched", task: "Check the README", args: { agent_mode: "single", planning_mode: false, wait: true, context_paths: [] } });
    const finished = events.find((e) => e.type === "run.finished") as Extract<SessionEvent, { type: "run.finished" }>;
    expect(finished.result.status).toBe("completed");
    const description = JSON.parse(readFileSync(join(finished.result.log_dir, "run_description.json"), "utf8"));
    expect(description.options.agent_mode).toBe("single");
    expect(description.options.settings.refinement).toBe(false);
    expect(description.session).toBe(session.id);
    const tool = session.messages().find((m) => m.role === "tool")!;
    expect(JSON.parse(tool.content)).toMatchObject({ run_id: finished.result.run_id, status: "completed", winner: "alpha" });
    expect(session.record().runs).toMatchObject([{ run_id: finished.result.run_id, task: "Check the README", status: "completed" }]);
    expect(session.record().usage.runs.calls).toBeGreaterThan(0);
    expect(existsSync(join(p.runsDir, finished.result.run_id))).toBe(true);
  });

  it("gives one repair turn that names the bad field, then stops after a second bad call", async () => {
    const session = await openSession({
      project: project(),
      config: config([
        { tool: "launch_run", args: { task: "x", agent_mode: "solo" } },
        { tool: "launch_run", args: { task: "x", planning: true } },
      ]),
      env: {},
      clock: new SimulatedClock(),
    });
    const events = await turn(session, "Do it");
    const tools = session.messages().filter((m) => m.role === "tool").map((m) => m.content);
    expect(tools[0]).toMatch(/^Error: launch_run `agent_mode`: .*Fix that argument/);
    expect(tools[1]).toMatch(/^Error: launch_run .*planning.*Fix that argument/);
    expect(events.at(-1)).toMatchObject({ type: "message" });
    expect(events.some((e) => e.type === "run.launched")).toBe(false);
  });

  it("read_run gives the orchestrator the compact reading of a run: final answer, each answer clipped with its label, the votes with reasons, the cost by agent", async () => {
    const p = project();
    const first = await openSession({ project: p, config: config([{ tool: "launch_run", args: { task: "Design a cache", agent_mode: "multi", refinement: false } }, { text: "Done." }]), env: {}, clock: new SimulatedClock() });
    const finished = (await turn(first, "Design a cache")).find((e) => e.type === "run.finished") as Extract<SessionEvent, { type: "run.finished" }>;
    await first.close();
    const runId = finished.result.run_id;
    const again = await openSession({ project: p, resume: first.id, config: config([{ tool: "read_run", args: { run_id: runId } }, { text: "Read." }]), env: {}, clock: new SimulatedClock() });
    await turn(again, "What did they say?");
    const read = again.messages().filter((m) => m.role === "tool").at(-1)!;
    await again.close();
    const result = JSON.parse(readFileSync(join(finished.result.log_dir, "result.json"), "utf8"));
    const events = readFileSync(join(finished.result.log_dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const posted = events.filter((e) => e.type === "run.agent.answered");
    expect(read.name).toBe("read_run");
    expect(JSON.parse(read.content)).toEqual({
      run_id: runId,
      status: "completed",
      winner: result.winner,
      winner_reason: result.winner_reason,
      answer: result.answer,
      answers: result.answers.map((a: { agent: string; label: string; round: number }, i: number) => ({ label: a.label, agent: a.agent, round: a.round, content: posted[i].content })),
      votes: events.filter((e) => e.type === "run.agent.voted").map((e) => ({ voter: e.agentId, label: e.label, reason: e.reason })),
      cost_by_agent: { alpha: result.agents.alpha.tokens.cost_usd, beta: result.agents.beta.tokens.cost_usd, gamma: result.agents.gamma.tokens.cost_usd },
      log_dir: finished.result.log_dir,
    });
  });
});
