import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { openSession } from "../../framework/session/open-session.ts";
import type { SessionEvent } from "../../framework/session/session-types.ts";
import { tempDir } from "../project/temp-dir.ts";
import { scripted } from "../support/scripted-run.ts";
import { chatConfig as config, playTurn as turn } from "../support/session-turns.ts";

const project = () => initProject("demo", tempDir());
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

describe("one writer per session", () => {
  it("refuses a second opener while the first has the session, naming it and the way out; takes over a dead holder's lock", async () => {
    const p = project();
    const first = await openSession({ project: p, config: config([{ text: "One." }]), env: {} });
    await turn(first, "Hello");
    await expect(openSession({ project: p, config: config([]), env: {}, resume: first.id })).rejects.toThrow(
      `session ${first.id} is open in process ${process.pid}: close it there first, or continue a copy with \`conclave chat --resume ${first.id} --fork\`.`,
    );
    // A fork is a session of its own, so it may be opened meanwhile.
    const fork = await openSession({ project: p, config: config([]), env: {}, resume: first.id, fork: true });
    await fork.close();
    await first.close();
    expect(existsSync(join(first.dir, "session.lock"))).toBe(false);
    writeFileSync(join(first.dir, "session.lock"), JSON.stringify({ pid: deadPid(), host: (await import("node:os")).hostname(), token: "x" }));
    const again = await openSession({ project: p, config: config([{ text: "Two." }]), env: {}, resume: first.id });
    await turn(again, "Still there?");
    expect(again.record().turns).toBe(2);
    await again.close();
  });
});

describe("turns that stop early", () => {
  it("a consumer that stops reading ends the turn (its run cancelled, its result recorded) before the next turn starts", async () => {
    const session = await openSession({
      project: project(),
      config: config([{ tool: "launch_run", args: { task: "A long review" } }, { text: "Second answer." }], { agents: [scripted("alpha", { hang: true })] }),
      env: {},
      clock: new SimulatedClock(),
    });
    for await (const e of session.send("Review it")) if (e.type === "run.launched") break;
    const events = await turn(session, "Second question");
    expect(events.some((e) => e.type === "run.progress")).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "message", content: "Second answer." });
    const shape = session.messages().map((m) => (m.role === "tool" ? `tool:${JSON.parse(m.content).status}` : `${m.role}:${m.content || "(call)"}`));
    expect(shape).toEqual(["user:Review it", "assistant:(call)", "tool:cancelled", "user:Second question", "assistant:Second answer."]);
    expect(session.record().runs.map((r) => r.status)).toEqual(["cancelled"]);
    expect(session.record().turns).toBe(2);
  });

  it("a turn stopped right after approval starts no run", async () => {
    const session = await openSession({
      project: project(),
      config: config([{ tool: "launch_run", args: { task: "Design it" } }, { text: "unused" }], { interactive: { require_approval: "always" } }),
      env: {},
      clock: new SimulatedClock(),
    });
    const stop = new AbortController();
    const events: SessionEvent[] = [];
    for await (const e of session.send("Design it", { signal: stop.signal })) {
      events.push(e);
      if (e.type === "approval.request") {
        e.respond({ action: "approve" });
        stop.abort("stopped by the person");
      }
    }
    expect(events.some((e) => e.type === "run.launched")).toBe(false);
    expect(session.record().runs).toEqual([]);
    expect(session.messages().find((m) => m.role === "tool")?.content).toBe("Error: the turn was stopped before this run started; nothing was run.");
  });
});

describe("plan, then execute", () => {
  it("records both runs, sums their usage, and returns the execute run, which run_status lists", async () => {
    const session = await openSession({
      project: project(),
      config: config([
        { tool: "launch_run", args: { task: "Add a cache", planning_mode: true, execute_after_planning: true } },
        { tool: "run_status", args: {} },
        { text: "Planned and done." },
      ]),
      env: {},
      clock: new SimulatedClock(),
    });
    await turn(session, "Add a cache");
    const [plan, execute] = session.record().runs;
    expect(plan).toMatchObject({ task: "Add a cache", status: "completed", args: { planning_mode: true, execute_after_planning: false } });
    expect(execute).toMatchObject({ status: "completed", parent_run: plan!.run_id, args: { planning_mode: false } });
    expect(execute!.task).toMatch(/^Add a cache\n\n# The plan to carry out\n\n/);
    const [launched, status] = session.messages().filter((m) => m.role === "tool").map((m) => JSON.parse(m.content));
    expect(status.runs.map((r: { run_id: string; status: string }) => [r.run_id, r.status])).toEqual([[plan!.run_id, "completed"], [execute!.run_id, "completed"]]);
    const returned = launched;
    expect(returned).toMatchObject({ run_id: execute!.run_id, plan_run_id: plan!.run_id, status: "completed" });
    const calls = (dir: string) => JSON.parse(readFileSync(join(dir, "result.json"), "utf8")).usage.llm_calls as number;
    expect(session.record().usage.runs.calls).toBe(calls(plan!.log_dir) + calls(execute!.log_dir));
  });
});

describe("a session opened again after its process died", () => {
  it("settles runs it left running: a finished one takes its result, one whose process is gone is abandoned", async () => {
    const p = project();
    const first = await openSession({
      project: p,
      config: config([{ tool: "launch_run", args: { task: "One", agent_mode: "single" } }, { tool: "launch_run", args: { task: "Two", agent_mode: "single" } }, { text: "Done." }]),
      env: {},
      clock: new SimulatedClock(),
    });
    await turn(first, "Two runs");
    await first.close();
    // As a kill -9 leaves it: both rows still running; the second run never wrote its result, and its process is gone.
    const path = join(first.dir, "session.json");
    const record = JSON.parse(readFileSync(path, "utf8"));
    for (const r of record.runs) Object.assign(r, { status: "running", cost_usd: null, result: undefined });
    writeFileSync(path, JSON.stringify(record));
    const second = record.runs[1].log_dir as string;
    rmSync(join(second, "result.json"));
    const status = JSON.parse(readFileSync(join(second, "status.json"), "utf8"));
    status.meta.pid = deadPid();
    writeFileSync(join(second, "status.json"), JSON.stringify(status));

    const again = await openSession({ project: p, config: config([]), env: {}, resume: first.id });
    const rows = again.record().runs;
    expect(rows[0]).toMatchObject({ status: "completed", result: { status: "completed" } });
    expect(rows[1]).toMatchObject({ status: "abandoned", status_reason: `its process (pid ${status.meta.pid} on ${status.meta.host}) is gone` });
    expect(JSON.parse(readFileSync(path, "utf8")).runs[1].status).toBe("abandoned");
    expect(again.running()).toEqual([]);
    await again.close();
  });
});

describe("what is kept and what is not", () => {
  it("a recap is said but not stored: the history stays the person's", async () => {
    const p = project();
    const first = await openSession({ project: p, config: config([{ text: "Noted." }]), env: {} });
    await turn(first, "Use Socket.IO.");
    await first.close();
    const resumed = await openSession({ project: p, config: config([{ text: "Last time you chose Socket.IO." }]), env: {}, resume: "latest" });
    const said: SessionEvent[] = [];
    for await (const e of resumed.recap()) said.push(e);
    expect(said.at(-1)).toEqual({ type: "message", role: "assistant", content: "Last time you chose Socket.IO." });
    expect(resumed.messages().map((m) => m.content)).toEqual(["Use Socket.IO.", "Noted."]);
    expect(readFileSync(join(resumed.dir, "messages.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(resumed.record()).toMatchObject({ turns: 1, usage: { conversation: { calls: 2 } } });
    await resumed.close();
  });

  it("counts the priced part of the spend against the budget when a model has no price, and says so once", async () => {
    const priced = (id: string) => ({ id, backend: { type: "scripted" as const, model: "gpt-4.1-mini", latency_ms: 10 } });
    const session = await openSession({
      project: project(),
      config: {
        ...config([{ tool: "launch_run", args: { task: "First", agent_mode: "single" } }, { tool: "launch_run", args: { task: "Second", agent_mode: "single" } }, { text: "Budget spent." }], {
          agents: [priced("alpha")],
          interactive: { require_approval: "never", budget_usd: 0.000001 },
        }),
        orchestrator: { backend: { type: "scripted", model: "no-such-priced-model", script: [{ tool: "launch_run", args: { task: "First", agent_mode: "single" } }, { tool: "launch_run", args: { task: "Second", agent_mode: "single" } }, { text: "Budget spent." }] } },
      },
      env: {},
      clock: new SimulatedClock(),
    });
    const events = await turn(session, "Two things");
    const tools = session.messages().filter((m) => m.role === "tool").map((m) => m.content);
    expect(JSON.parse(tools[0]!).status).toBe("completed");
    expect(tools[1]).toMatch(/^Error: The session's budget of \$0.000001 \(interactive.budget_usd\) is spent/);
    const notices = events.filter((e) => e.type === "notice").map((e) => (e as { line: string }).line);
    expect(notices.filter((l) => l.startsWith("Part of this session's spend is unknown"))).toHaveLength(1);
  });

  it("list_files shows the project's own files however many runs the project has", async () => {
    const p = project();
    mkdirSync(join(p.dir, "src"), { recursive: true });
    writeFileSync(join(p.dir, "src", "server.ts"), "export {};\n");
    for (let i = 0; i < 600; i++) {
      mkdirSync(join(p.runsDir, `r${i}`), { recursive: true });
      writeFileSync(join(p.runsDir, `r${i}`, "events.jsonl"), "");
    }
    const session = await openSession({ project: p, config: config([{ tool: "list_files", args: {} }, { text: "Listed." }]), env: {} });
    await turn(session, "What files are there?");
    const listed = session.messages().find((m) => m.role === "tool")!.content.split("\n");
    expect(listed).toContain("src/server.ts");
    expect(listed.some((l) => l.startsWith("runs/"))).toBe(false);
    await session.close();
  });
});
