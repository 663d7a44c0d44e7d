import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { openSession } from "../../framework/session/open-session.ts";
import type { SessionEvent } from "../../framework/session/session-types.ts";
import { tempDir } from "../project/temp-dir.ts";
import { readRun, scripted } from "../support/scripted-run.ts";
import { chatConfig, playTurn } from "../support/session-turns.ts";

// An agent's ask_human in a run the orchestrator launched reaches the front end as a `query` event.
describe("openSession() and agents' questions", () => {
  it("emits an agent's ask_human as a query with its options and context, and the run goes on once it is answered", async () => {
    const p = initProject("demo", tempDir());
    const asking = scripted("alpha", {
      latency_ms: 10,
      script: [{ tool: "ask_human", args: { question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80." } }, { answer: "Port chosen." }],
    });
    const config = chatConfig(
      [{ tool: "launch_run", args: { task: "Pick a port", agent_mode: "single", context_paths: [{ path: "deliverables", permission: "read" }] } }, { text: "Done." }],
      { agents: [asking] },
    );
    const session = await openSession({ project: p, config, env: {}, clock: new SimulatedClock() });
    const events = await playTurn(session, "Pick a port", (e) => e.type === "query" && e.respond(e.options![1]!));
    const query = events.find((e) => e.type === "query") as Extract<SessionEvent, { type: "query" }>;
    expect({ ...query, respond: undefined, signal: undefined }).toEqual({ type: "query", id: "q1", run_id: expect.stringMatching(/^\d{8}-\d{6}-/), agent: "alpha", question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80.", respond: undefined, signal: undefined });
    expect(query.signal).toBeInstanceOf(AbortSignal);
    const finished = events.find((e) => e.type === "run.finished") as Extract<SessionEvent, { type: "run.finished" }>;
    expect(query.run_id).toBe(finished.result.run_id);
    expect(finished.result).toMatchObject({ status: "completed", answer: "Port chosen." });
    await session.close();
  });

  it("withdraws a query nobody answers within coordination.timeouts.human (its signal aborts), and the run goes on; a late answer is harmless", async () => {
    const p = initProject("demo", tempDir());
    const asking = scripted("alpha", {
      latency_ms: 10,
      script: [{ tool: "ask_human", args: { question: "Which port?", options: ["8080", "9090"] } }, { answer: "Port 8080: my assumption, stated." }],
    });
    const config = chatConfig(
      [{ tool: "launch_run", args: { task: "Pick a port", agent_mode: "single", context_paths: [{ path: "deliverables", permission: "read" }] } }, { text: "Done." }],
      { agents: [asking], coordination: { timeouts: { human: 0.3 } } },
    );
    // The wall clock: the question waits 0.3 s for a person who never answers.
    const session = await openSession({ project: p, config, env: {} });
    const events = await playTurn(session, "Pick a port");
    const query = events.find((e) => e.type === "query") as Extract<SessionEvent, { type: "query" }>;
    expect(query).toMatchObject({ id: "q1", agent: "alpha", question: "Which port?" });
    expect(query.signal?.aborted).toBe(true);
    expect(query.signal?.reason).toBe("timed out");
    const finished = events.find((e) => e.type === "run.finished") as Extract<SessionEvent, { type: "run.finished" }>;
    expect(finished.result).toMatchObject({ status: "completed", answer: "Port 8080: my assumption, stated." });
    const calls = readRun(finished.result.log_dir!).events.filter((e) => e.type === "run.agent.tool_call");
    expect(calls.map((e) => [e.name, e.ok])).toEqual([["ask_human", true]]);
    expect(() => query.respond("9090")).not.toThrow();
    expect(events.filter((e) => e.type === "message").map((e) => (e as { content: string }).content)).toEqual(["Done."]);
    await session.close();
  });
});
