import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { estimateRequestTokens } from "../../framework/models/estimate-tokens.ts";
import { ORCHESTRATOR_TOOLS } from "../../framework/session/orchestrator-tools.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { openSession } from "../../framework/session/open-session.ts";
import type { Session, SessionEvent } from "../../framework/session/session-types.ts";
import { tempDir } from "../project/temp-dir.ts";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server.ts";
import { scripted } from "../support/scripted-run.ts";
import { chatConfig as config, playTurn as turn } from "../support/session-turns.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./session-child.ts", import.meta.url));

const project = () => initProject("demo", tempDir());
const results = (s: Session) => s.messages().filter((m) => m.role === "tool").map((m) => m.content);

describe("runs launched from a session", () => {
  it("runs two launches in parallel with wait: false and reports both when they end", async () => {
    const session = await openSession({
      project: project(),
      config: config([
        { tool: "launch_run", args: { task: "Review the API", wait: false } },
        { tool: "launch_run", args: { task: "Review the schema", wait: false, agent_mode: "single" } },
        { text: "Both reviews are running." },
      ]),
      env: {},
      clock: new SimulatedClock(),
    });
    const later: SessionEvent[] = [];
    session.subscribe((e) => later.push(e));
    const events = await turn(session, "Get both reviews going");
    expect(events.filter((e) => e.type === "run.launched")).toHaveLength(2);
    const [a, b] = results(session).map((r) => JSON.parse(r));
    expect(a).toMatchObject({ status: "running" });
    expect(b).toMatchObject({ status: "running" });
    expect(events.at(-1)).toMatchObject({ type: "message", content: "Both reviews are running." });
    expect(session.running().sort()).toEqual([a.run_id, b.run_id].sort());
    await session.close();
    const finished = later.filter((e) => e.type === "run.finished") as Extract<SessionEvent, { type: "run.finished" }>[];
    expect(finished.map((e) => e.run_id).sort()).toEqual([a.run_id, b.run_id].sort());
    expect(session.record().runs.map((r) => r.status)).not.toContain("running");
  });

  it("delivers tell_run notes, from the orchestrator and from the person, to the running run's agents at their next turn", async () => {
    const session = await openSession({
      project: project(),
      config: config([
        { tool: "launch_run", args: { task: "Design the handler", wait: false } },
        { tool: "tell_run", args: { note: "Use Socket.IO, not raw WebSockets." } },
        { text: "Running, with your note." },
      ]),
      env: {},
      clock: new SimulatedClock(),
    });
    const ended = new Promise<Extract<SessionEvent, { type: "run.finished" }>>((resolve) => session.subscribe((e) => e.type === "run.finished" && resolve(e)));
    await turn(session, "Design the handler, with Socket.IO");
    expect(JSON.parse(results(session)[1]!)).toMatchObject({ delivered: "at each agent's next turn" });
    expect(session.tell("Keep the handler under 200 lines.")).toBe(true);
    const finished = await ended;
    const events = readFileSync(join(finished.result.log_dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === "run.note").map((e) => e.text)).toEqual(["Use Socket.IO, not raw WebSockets.", "Keep the handler under 200 lines."]);
    const delivered = events.filter((e) => e.type === "run.agent.note");
    expect(new Set(delivered.map((e) => e.agentId))).toEqual(new Set(["alpha", "beta", "gamma"]));
    // Both notes came while the agents wrote their first answers: each agent reads them in its first voting turn, once.
    expect(delivered.map((e) => [e.agentId, e.phase, e.round, e.notes])).toEqual([["alpha", "voting", 2, [1, 2]], ["beta", "voting", 2, [1, 2]], ["gamma", "voting", 2, [1, 2]]]);
    expect(session.tell("Too late")).toBe(false);
  });

  it("cancels only the run: launch_run returns the partial result and the orchestrator answers", async () => {
    const session = await openSession({
      project: project(),
      config: config([{ tool: "launch_run", args: { task: "A slow review" } }, { text: "The review was cancelled; say if you want it again." }], {
        agents: [scripted("alpha", { latency_ms: 10 }), scripted("beta", { hang: true })],
      }),
      env: {},
      clock: new SimulatedClock(),
    });
    const events = await turn(session, "Review it", (e) => {
      if (e.type === "run.launched") session.cancelRun(e.run_id);
    });
    const result = JSON.parse(results(session)[0]!);
    expect(result.status).toBe("cancelled");
    expect(result.status_reason).toMatch(/by the person/);
    expect(events.at(-1)).toMatchObject({ type: "message", content: "The review was cancelled; say if you want it again." });
    expect(session.record().runs[0]).toMatchObject({ status: "cancelled" });
  });

  it("asks approval with the run card: Edit agents runs the chosen agents, Cancel runs nothing", async () => {
    const session = await openSession({
      project: project(),
      config: config(
        [
          { tool: "launch_run", args: { task: "Design the handler" } },
          { text: "Done with beta." },
          { tool: "launch_run", args: { task: "Design it again" } },
          { text: "Cancelled." },
        ],
        { interactive: { require_approval: "always" } },
      ),
      env: {},
      clock: new SimulatedClock(),
    });
    const cards: string[][] = [];
    await turn(session, "Design the handler", (e) => {
      if (e.type === "approval.request") {
        cards.push(e.card.agents.map((a) => a.id));
        e.respond({ action: "edit", agents: ["beta"] });
      }
    });
    const first = JSON.parse(results(session)[0]!);
    expect(cards).toEqual([["alpha", "beta", "gamma"]]);
    const description = JSON.parse(readFileSync(join(first.log_dir, "run_description.json"), "utf8"));
    expect(description.agents.map((a: { id: string }) => a.id)).toEqual(["beta"]);
    expect(first.winner).toBe("beta");

    const events = await turn(session, "Again", (e) => e.type === "approval.request" && e.respond({ action: "cancel" }));
    expect(results(session)[1]).toBe("Error: the person cancelled this run at approval; ask what they want instead.");
    expect(events.some((e) => e.type === "run.launched")).toBe(false);
    expect(session.record().runs).toHaveLength(1);
  });

  it("approves by itself below interactive.above_usd and with autoApprove says so", async () => {
    const session = await openSession({
      project: project(),
      config: config([{ tool: "launch_run", args: { task: "Design the handler", agent_mode: "single" } }, { text: "Done." }], { interactive: { require_approval: "always" } }),
      env: {},
      clock: new SimulatedClock(),
      autoApprove: true,
    });
    const events = await turn(session, "Go");
    expect(events.some((e) => e.type === "approval.request")).toBe(false);
    expect(events).toContainEqual({ type: "notice", line: "Approved (--yes): Design the handler, estimate $0.0000." });
  });

  it("stops launching runs once interactive.budget_usd is spent, and says so", async () => {
    const priced = (id: string) => ({ id, backend: { type: "scripted" as const, model: "gpt-4.1-mini", latency_ms: 10 } });
    const session = await openSession({
      project: project(),
      config: config(
        [{ tool: "launch_run", args: { task: "First", agent_mode: "single" } }, { tool: "launch_run", args: { task: "Second", agent_mode: "single" } }, { text: "Budget spent." }],
        { agents: [priced("alpha")], interactive: { require_approval: "never", budget_usd: 0.000001 } },
      ),
      env: {},
      clock: new SimulatedClock(),
    });
    const events = await turn(session, "Do two things");
    const [first, second] = results(session);
    expect(JSON.parse(first!).status).toBe("completed");
    expect(second).toMatch(/^Error: The session's budget of \$0.000001 \(interactive.budget_usd\) is spent/);
    expect(events.filter((e) => e.type === "notice").map((e) => (e as { line: string }).line)).toContainEqual(expect.stringMatching(/budget of \$0.000001/));
    expect(session.record().runs).toHaveLength(1);
  });
});

describe("sessions that last", () => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(() => server.close());

  it("resumes in a new process: the orchestrator's next request holds the earlier messages", async () => {
    const p = project();
    const cfg = JSON.stringify({
      agents: [{ id: "alpha", backend: { type: "scripted" } }],
      orchestrator: { backend: { type: "openai", model: "gpt-4.1-mini", base_url: `${server.url}/v1` } },
      coordination: { retry: { attempts: 0 } },
    });
    server.enqueue({ text: "We chose Socket.IO." }, { text: "You chose Socket.IO earlier." });
    const child = (...args: string[]) => promisify(execFile)(process.execPath, ["--import", "tsx", CHILD, p.dir, cfg, ...args], { cwd: REPO, encoding: "utf8" }).then((r) => r.stdout);
    const out1 = await child("Let's use Socket.IO for the API.");
    const id = /session (\S+)/.exec(out1)![1]!;
    const out2 = await child("What did we choose?", "latest");
    expect(out2).toContain(`session ${id}`);
    expect(out2).toContain("You chose Socket.IO earlier.");
    const second = server.requests[1]!.body as { messages: { role: string; content: string }[] };
    expect(second.messages.filter((m) => m.role !== "system").map((m) => [m.role, m.content])).toEqual([
      ["user", "Let's use Socket.IO for the API."],
      ["assistant", "We chose Socket.IO."],
      ["user", "What did we choose?"],
    ]);
  });

  it("forks: the copy goes on, the original's files stay byte for byte as they were", async () => {
    const p = project();
    const original = await openSession({ project: p, config: config([{ text: "One." }]), env: {} });
    await turn(original, "First");
    const before = readFileSync(join(original.dir, "messages.jsonl"), "utf8") + readFileSync(join(original.dir, "session.json"), "utf8");
    const fork = await openSession({ project: p, config: config([{ text: "Two." }]), env: {}, resume: original.id, fork: true });
    await turn(fork, "Second");
    expect(fork.id).not.toBe(original.id);
    expect(fork.messages().map((m) => m.content)).toEqual(["First", "One.", "Second", "Two."]);
    expect(readFileSync(join(original.dir, "messages.jsonl"), "utf8") + readFileSync(join(original.dir, "session.json"), "utf8")).toBe(before);
  });

  it("compacts 1,000 turns: every request under the limit, the last keep_recent verbatim, nothing deleted on disk", async () => {
    const limit = 4000;
    const keep = 6;
    server.reset();
    const session = await openSession({
      project: project(),
      config: {
        agents: [scripted("alpha")],
        orchestrator: { backend: { type: "openai", model: "gpt-4.1-mini", base_url: `${server.url}/v1` } },
        interactive: { require_approval: "never", max_context_tokens: limit, keep_recent: keep },
        coordination: { retry: { attempts: 0 } },
      },
      env: { OPENAI_API_KEY: "test-openai-key" },
    });
    let compactions = 0;
    for (let i = 0; i < 1000; i++) {
      for await (const e of session.send(`Turn ${i}: remember the number ${i * 7} for the report, please.`)) if (e.type === "compacted") compactions++;
    }
    // Every request as it went over the wire, estimated as the session estimates its own.
    type Wire = { messages: { role: string; content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] }[]; tools?: unknown[] };
    const sizes = server.requests.map((r) => {
      const body = r.body as Wire;
      const [system, ...rest] = body.messages;
      return estimateRequestTokens({
        system: system!.content ?? "",
        messages: rest.map((m) => ({ role: "user" as const, content: `${m.content ?? ""}${(m.tool_calls ?? []).map((c) => c.function.name + c.function.arguments).join("")}` })),
        ...(body.tools && { tools: ORCHESTRATOR_TOOLS }),
      });
    });
    expect(server.requests.length).toBe(1000 + compactions);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(limit);
    expect(compactions).toBeGreaterThanOrEqual(5);
    const lines = readFileSync(join(session.dir, "messages.jsonl"), "utf8").trim().split("\n");
    expect(lines.length).toBe(2000);
    const last = server.requests.at(-1)!.body as Wire;
    expect(last.messages.slice(-keep).map((m) => m.content)).toEqual(session.messages().slice(-keep - 1, -1).map((m) => m.content));
    expect(last.messages[0]!.content).toContain("# Earlier in this conversation (summary)");
    // At most a few hundred short messages fit beside the instructions in 4,000 tokens: the rest are in the summary.
    expect(2000 - session.record().compaction!.upto).toBeLessThan(400);
  });

});
