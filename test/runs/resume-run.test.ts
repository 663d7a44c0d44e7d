import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { ConfigError } from "../../framework/errors.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { resumeRun } from "../../framework/runs/resume-run.ts";
import { run } from "../../framework/runs/run.ts";
import type { RunResult } from "../../framework/runs/run-result.ts";
import { startFakeLlmServer } from "../support/fake-llm-server.ts";
import { scripted } from "../support/scripted-run.ts";

// A pid that was there and is gone: a child that ran and exited.
const gonePid = spawnSync(process.execPath, ["-e", ""]).pid;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "conclave-resume-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Three agents, zero latency, refinement: alpha revises its answer in round 2, so voting goes a third round;
// beta's first call fails and is retried; the winner presents.
const coordination = {
  timeouts: { run: 600, generation: 60, voting: 60, presentation: 60, call: 30, idle: 30 },
  retry: { attempts: 2, base_delay: 0.5, max_delay: 0.5, max_retry_after: 1 },
};
const team = (latency: [number, number, number]): ConfigInput => ({
  agents: [
    scripted("alpha", { latency_ms: latency[0], script: [{ answer: "Use Redis." }, { answer: "Use Redis with write-through, a TTL per key and a warm-up job at deploy time." }, { vote: "B", reason: "also fine" }] }),
    scripted("beta", { latency_ms: latency[1], fail: { kind: "server", times: 1 }, script: [{ answer: "Use an in-process LRU cache." }, { vote: "A", reason: "A is good" }, { vote: "A", reason: "A is better now" }] }),
    scripted("gamma", { latency_ms: latency[2], script: [{ answer: "Put a CDN in front of the API." }, { vote: "A", reason: "A" }, { vote: "A", reason: "A, revised" }] }),
  ],
  coordination,
});
const config = team([0, 0, 0]);
const task = "Design a cache for the API";

interface Line {
  t: number;
  type: string;
  [k: string]: unknown;
}
const eventsOf = (dir: string): Line[] =>
  readFileSync(join(dir, "events.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line);

// What must be equal between a resumed run and the uninterrupted one: everything but where and when.
function outcome(result: RunResult) {
  const { run_id: _r, log_dir: _l, final_answer_path: _f, started_at: _s, elapsed_seconds: _e, ...rest } = result;
  return rest;
}
function answersOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of readdirSync(join(dir, "agents"))) for (const f of readdirSync(join(dir, "agents", id))) out[`${id}/${f}`] = readFileSync(join(dir, "agents", id, f), "utf8");
  return out;
}
// Every file under `dir`, relative.
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, rel)).isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

describe("resumeRun()", () => {
  it.each([
    ["no latency", team([0, 0, 0])],
    ["latencies of 50, 80 and 110 ms", team([50, 80, 110])],
  ])("ends every run killed after its k-th journal write, for every k, as the uninterrupted run ends, calling no recorded turn again (%s)", async (name, config) => {
    const baseline = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    expect(baseline.status).toBe("completed");
    expect(baseline.answers.map((a) => a.version)).toEqual(["alpha.1", "gamma.1", "beta.1", "alpha.2"]);
    expect(baseline.winner).toBe("alpha");
    const baselineEvents = eventsOf(baseline.log_dir);
    const modelTurns = baselineEvents.filter((e) => e.type === "run.turn" && e.kind === "model").length;
    expect(modelTurns).toBe(baseline.usage.llm_calls + 1); // + beta's failed first call

    let killPoints = 0;
    for (let k = 1; k < 200; k++) {
      const runsDir = tempDir();
      const killed = await run({ task, config, runsDir, clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
      const dir = killed.log_dir;
      // The run wrote fewer than k times: it was never killed, and every kill point is tried.
      if (existsSync(join(dir, "result.json"))) break;
      killPoints++;
      // Atomic artefacts: every JSON file parses, no temporary file is left.
      const files = filesUnder(dir);
      expect(files.filter((f) => f.endsWith(".tmp")), `k=${k}`).toEqual([]);
      for (const f of files.filter((f) => f.endsWith(".json"))) expect(() => JSON.parse(readFileSync(join(dir, f), "utf8")), `k=${k} ${f}`).not.toThrow();
      const recorded = eventsOf(dir).filter((e) => e.type === "run.turn" && e.kind === "model").length;

      const resumed = await resumeRun(dir, { config, clock: new SimulatedClock(), env: {} });
      expect(outcome(resumed), `k=${k}`).toEqual(outcome(baseline));
      expect(resumed.log_dir).toBe(dir);
      expect(answersOf(dir), `k=${k}`).toEqual(answersOf(baseline.log_dir));
      expect(readFileSync(join(dir, "final", resumed.winner!, "answer.txt"), "utf8")).toBe(readFileSync(join(baseline.log_dir, "final", baseline.winner!, "answer.txt"), "utf8"));
      const events = eventsOf(dir);
      // No duplicate completed calls: the journal holds each model call once, across both processes.
      const calls = events.filter((e) => e.type === "run.turn" && e.kind === "model");
      expect(calls.length, `k=${k}`).toBe(modelTurns);
      expect(new Set(calls.map((c) => `${c.agentId}:${c.phase}:${c.round}:${c.call}`)).size).toBe(modelTurns);
      expect(modelTurns - recorded).toBe(calls.filter((c) => c.t >= 0 && events.indexOf(c) > events.findIndex((e) => e.type === "run.resumed")).length);
      // The journal says it was resumed, once, and holds each answer, vote and phase once.
      expect(events.filter((e) => e.type === "run.resumed")).toHaveLength(1);
      const kinds = (list: Line[], type: string) => list.filter((e) => e.type === type).map((e) => `${e.agentId ?? e.phase}:${e.round}`);
      for (const type of ["run.agent.answered", "run.agent.voted", "run.agent.presented", "run.phase", "run.finished"]) {
        expect(kinds(events, type), `k=${k} ${type}`).toEqual(kinds(baselineEvents, type));
      }
      const description = JSON.parse(readFileSync(join(dir, "run_description.json"), "utf8"));
      expect(description.resumed).toEqual([{ at: expect.any(String), from_event: events.findIndex((e) => e.type === "run.resumed") }]);
      const status = JSON.parse(readFileSync(join(dir, "status.json"), "utf8"));
      const baseStatus = JSON.parse(readFileSync(join(baseline.log_dir, "status.json"), "utf8"));
      expect({ ...status, meta: undefined }, `k=${k}`).toEqual({ ...baseStatus, meta: undefined, results: { ...baseStatus.results, final_answer_path: join(dir, "final", baseline.winner!, "answer.txt") } });
      expect(filesUnder(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    }
    console.log(`[resume] ${name}: kill points tried: ${killPoints}, each resumed to the uninterrupted run's outcome`);
    expect(killPoints).toBeGreaterThan(10);
  }, 120_000);

  it("resumes a run killed again while it was being resumed, to the same outcome, each call made once", async () => {
    const config = team([50, 80, 110]);
    const baseline = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    const modelTurns = eventsOf(baseline.log_dir).filter((e) => e.type === "run.turn" && e.kind === "model").length;
    let pairs = 0;
    for (const k of [2, 6, 12]) {
      for (const j of [1, 2, 4]) {
        const killed = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
        const dir = killed.log_dir;
        await resumeRun(dir, { config, clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: String(j) } });
        if (existsSync(join(dir, "result.json"))) continue;
        pairs++;
        const resumed = await resumeRun(dir, { config, clock: new SimulatedClock(), env: {} });
        expect(outcome(resumed), `k=${k} j=${j}`).toEqual(outcome(baseline));
        const events = eventsOf(dir);
        expect(events.filter((e) => e.type === "run.turn" && e.kind === "model"), `k=${k} j=${j}`).toHaveLength(modelTurns);
        expect(events.filter((e) => e.type === "run.resumed")).toHaveLength(2);
        expect(JSON.parse(readFileSync(join(dir, "run_description.json"), "utf8")).resumed).toHaveLength(2);
      }
    }
    console.log(`[resume] killed, killed again while resuming, resumed: ${pairs} pairs of kill points, each to the uninterrupted outcome`);
    expect(pairs).toBeGreaterThan(5);
  });

  it("calls the OpenAI backend, across the killed process and the resume, as often as an uninterrupted run, plus at most the calls in flight at the kill", async () => {
    // Replies by what is asked: each agent answers its own way, alpha votes B, the others A; the winner presents.
    const server = await startFakeLlmServer({
      reply: (body) => {
        const messages = body.messages as { role: string; content: unknown }[];
        const system = String(messages.find((m) => m.role === "system")?.content ?? "");
        const id = /You are (\w+)/.exec(system)?.[1] ?? "someone";
        const tools = ((body.tools as { function: { name: string } }[] | undefined) ?? []).map((t) => t.function.name);
        const delayMs = 20;
        if (tools.includes("vote")) return { delayMs, toolCalls: [{ name: "vote", arguments: JSON.stringify({ answer: id === "alpha" ? "B" : "A", reason: "it is sound" }) }] };
        if (tools.includes("new_answer")) return { delayMs, toolCalls: [{ name: "new_answer", arguments: JSON.stringify({ content: `${id}: ${ANSWERS[id]}` }) }] };
        return { delayMs, text: `Final: ${id} presents its answer.` };
      },
    });
    const ANSWERS: Record<string, string> = { alpha: "cache reads in Redis with a TTL per key", beta: "keep an LRU in each process", gamma: "put a CDN in front of the API" };
    const openai = (id: string) => ({ id, system: `You are ${id}, a pragmatic engineer.`, backend: { type: "openai" as const, model: "gpt-4.1-mini", base_url: `${server.url}/v1` } });
    const config: ConfigInput = { agents: [openai("alpha"), openai("beta"), openai("gamma")], coordination: { ...coordination, max_rounds: 2 } };
    const env = { OPENAI_API_KEY: "test-openai-key" };
    const calls = () => server.counts["/v1/chat/completions"] ?? 0;
    try {
      const baseline = await run({ task, config, runsDir: tempDir(), env });
      expect(baseline).toMatchObject({ status: "completed", winner: "alpha", winner_reason: "2 of 3 votes" });
      const uninterrupted = calls();
      expect(uninterrupted).toBe(7); // 3 answers, 3 votes, 1 presentation
      const figures: string[] = [];
      for (let k = 1; k < 100; k++) {
        server.reset();
        const killed = await run({ task, config, runsDir: tempDir(), env: { ...env, CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
        if (existsSync(join(killed.log_dir, "result.json"))) break;
        const byKilled = calls();
        const recorded = eventsOf(killed.log_dir).filter((e) => e.type === "run.turn" && e.kind === "model").length;
        const inFlight = byKilled - recorded;
        const resumed = await resumeRun(killed.log_dir, { config, env });
        expect(outcome(resumed), `k=${k}`).toEqual(outcome({ ...baseline, usage: resumed.usage, agents: resumed.agents }));
        expect(resumed.usage.llm_calls).toBe(baseline.usage.llm_calls);
        expect(calls(), `k=${k}`).toBe(uninterrupted + inFlight);
        expect(inFlight).toBeLessThanOrEqual(3);
        figures.push(`k=${k}: ${byKilled} killed + ${calls() - byKilled} resumed = ${uninterrupted} + ${inFlight} in flight`);
      }
      console.log(`[resume] OpenAI on loopback, ${figures.length} kill points:\n  ${figures.join("\n  ")}`);
      expect(figures.length).toBeGreaterThan(3);
    } finally {
      await server.close();
    }
  }, 120_000);

  it("gives a call in flight at the kill, made again, its whole call timeout, not what was left of it", async () => {
    // Answers take alpha 1 s and the others 0.9 s against a 1.5 s call timeout; killed once beta's answer is in (0.9 s in).
    const server = await startFakeLlmServer({
      reply: (body) => {
        const system = String((body.messages as { role: string; content: unknown }[]).find((m) => m.role === "system")?.content ?? "");
        const id = /You are (\w+)/.exec(system)?.[1] ?? "someone";
        const tools = ((body.tools as { function: { name: string } }[] | undefined) ?? []).map((t) => t.function.name);
        if (tools.includes("vote")) return { toolCalls: [{ name: "vote", arguments: JSON.stringify({ answer: "A", reason: "sound" }) }] };
        if (tools.includes("new_answer")) return { delayMs: id === "alpha" ? 1000 : 900, toolCalls: [{ name: "new_answer", arguments: JSON.stringify({ content: `${id} answers` }) }] };
        return { text: `Final: ${id}.` };
      },
    });
    const openai = (id: string) => ({ id, system: `You are ${id}.`, backend: { type: "openai" as const, model: "gpt-4.1-mini", base_url: `${server.url}/v1` } });
    const config: ConfigInput = { agents: [openai("alpha"), openai("beta"), openai("gamma")], coordination: { ...coordination, max_rounds: 1, timeouts: { ...coordination.timeouts, call: 1.5 } } };
    const env = { OPENAI_API_KEY: "test-openai-key" };
    const generation = (dir: string, id: string) => eventsOf(dir).filter((e) => e.type === "run.turn" && e.agentId === id && e.phase === "generation");
    try {
      let dir = "";
      for (let k = 1; k < 12 && !dir; k++) {
        const killed = await run({ task, config, runsDir: tempDir(), env: { ...env, CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
        if (generation(killed.log_dir, "beta").length === 1 && generation(killed.log_dir, "alpha").length === 0) dir = killed.log_dir;
      }
      expect(dir).not.toBe("");
      const resumed = await resumeRun(dir, { config, env });
      expect(resumed.status).toBe("completed");
      // Made again with 1.5 s to answer in 1 s: no timeout (with what was left, 0.6 s, it timed out).
      expect(generation(dir, "alpha").map((e) => e.outcome)).toEqual(["answer"]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("takes the run's active time at the kill from status.json when its heartbeat came after the last event", async () => {
    let killed = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: "3" } });
    // The first kill point with a status.json written.
    for (let k = 4; k < 30 && !existsSync(join(killed.log_dir, "status.json")); k++) {
      killed = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
    }
    expect(existsSync(join(killed.log_dir, "result.json"))).toBe(false);
    const statusPath = join(killed.log_dir, "status.json");
    const status = JSON.parse(readFileSync(statusPath, "utf8"));
    const lastT = Math.max(...eventsOf(killed.log_dir).map((e) => e.t));
    writeFileSync(statusPath, JSON.stringify({ ...status, meta: { ...status.meta, elapsed_seconds: lastT / 1000 + 7.5 } }));
    const resumed = await resumeRun(killed.log_dir, { config, clock: new SimulatedClock(), env: {} });
    expect(resumed.status).toBe("completed");
    expect(eventsOf(killed.log_dir).find((e) => e.type === "run.resumed")!.t).toBe(lastT + 7500);
  });

  it("gives the agents' events of the resumed part `at` times on the run's clock as before the kill (its start plus the active time)", async () => {
    const start = 1_764_600_000_000;
    const slow = team([100, 100, 100]);
    let dir = "";
    for (let k = 4; k < 30 && !dir; k++) {
      const killed = await run({ task, config: slow, runsDir: tempDir(), clock: new SimulatedClock({ start }), env: { CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
      if (eventsOf(killed.log_dir).some((e) => e.type.startsWith("run.agent."))) dir = killed.log_dir;
    }
    expect(dir).not.toBe("");
    const resumed = await resumeRun(dir, { config: slow, clock: new SimulatedClock({ start: start + 3_600_000 }), env: {} });
    expect(resumed.status).toBe("completed");
    const events = eventsOf(dir);
    const after = events.slice(events.findIndex((e) => e.type === "run.resumed") + 1).filter((e) => e.type.startsWith("run.agent."));
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(events.filter((e) => e.type.startsWith("run.agent.")).map((e) => (e.at as number) - e.t))).toEqual(new Set([start]));
  });

  it("gives a deadline the time it had left when the run was killed, not the time the run was dead", async () => {
    // Generation takes 40 s (beta and gamma are slow); in voting alpha votes 10 s in, the others would need 40 s: the
    // 30 s voting deadline cuts them off. Killed just after alpha's vote (10 s into voting), resumed a minute later.
    const slow = { latency_ms: 40_000 };
    const deadlines: ConfigInput = {
      agents: [
        scripted("alpha", { latency_ms: 10_000, script: [{ answer: "Use Redis." }, { vote: "B", reason: "simple" }] }),
        scripted("beta", { ...slow, script: [{ answer: "Use an in-process LRU cache." }, { vote: "A", reason: "fine" }] }),
        scripted("gamma", { ...slow, script: [{ answer: "Put a CDN in front of the API." }, { vote: "A", reason: "fine" }] }),
      ],
      coordination: { ...coordination, timeouts: { ...coordination.timeouts, voting: 30, call: 60 } },
    };
    let dir = "";
    // The kill point: the journal's last line is alpha's vote.
    for (let k = 1; k < 50 && !dir; k++) {
      const killed = await run({ task, config: deadlines, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
      const last = eventsOf(killed.log_dir).at(-1)!;
      if (last.type === "run.turn" && last.agentId === "alpha" && last.phase === "voting") dir = killed.log_dir;
    }
    expect(dir).not.toBe("");
    const votingBegan = eventsOf(dir).find((e) => e.type === "run.phase" && e.phase === "voting")!.t;
    const killedAt = eventsOf(dir).at(-1)!.t;
    expect([votingBegan, killedAt]).toEqual([40_000, 50_000]);

    const later = new SimulatedClock({ start: 50_000 + 60_000 });
    const resumedAt = later.now();
    let firedAfter: number | undefined;
    const resumed = await resumeRun(dir, {
      config: deadlines,
      clock: later,
      env: {},
      onEvent: (e) => {
        if (e.type === "run.deadline") firedAfter ??= later.now() - resumedAt;
      },
    });
    const deadline = eventsOf(dir).find((e) => e.type === "run.deadline")!;
    console.log(`[resume] killed 10 s into a 30 s voting deadline, resumed 60 s later: the deadline fired ${firedAfter! / 1000} s after the resume`);
    expect(firedAfter).toBe(20_000);
    expect(deadline).toMatchObject({ t: 70_000, deadline: "voting", timed_out: ["beta", "gamma"] });
    const uninterrupted = await run({ task, config: deadlines, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    expect(eventsOf(uninterrupted.log_dir).find((e) => e.type === "run.deadline")).toMatchObject({ t: 70_000, deadline: "voting" });
    expect(outcome(resumed)).toEqual(outcome(uninterrupted));
    expect(resumed.elapsed_seconds).toBe(uninterrupted.elapsed_seconds);
  });

  it("resumes an execute run killed at every journal write with its workspaces as the agents left them: the same changes, written back once", async () => {
    const tool = (name: string, args: Record<string, unknown>) => ({ tool: name, args });
    const execute: ConfigInput = {
      agents: [
        scripted("alpha", { latency_ms: 40, script: [tool("write_file", { path: "deliverables/x.md", content: "from alpha\n" }), tool("edit_file", { path: "deliverables/x.md", old: "from alpha", new: "from alpha, edited" }), { answer: "alpha wrote x.md" }, { vote: "B", reason: "fine" }] }),
        scripted("beta", { latency_ms: 60, script: [tool("write_file", { path: "deliverables/y.md", content: "from beta\n" }), { answer: "beta wrote y.md" }, { vote: "A", reason: "good" }] }),
        scripted("gamma", { latency_ms: 80, script: [tool("read_file", { path: "deliverables/x.md" }), { answer: "gamma read x.md" }, { vote: "A", reason: "good" }] }),
      ],
      coordination: { ...coordination, max_rounds: 2 },
    };
    const project = () => {
      const root = tempDir();
      const p = openProject(join(root, "proj"), { create: true });
      mkdirSync(p.deliverablesDir, { recursive: true });
      writeFileSync(join(p.deliverablesDir, "x.md"), "original\n");
      return p;
    };
    const options = { task, config: execute, context_paths: [{ path: "deliverables", permission: "write" as const }], clock: new SimulatedClock() };
    const deliverables = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    const p0 = project();
    const baseline = await run({ ...options, project: p0, env: {} });
    expect(baseline).toMatchObject({ status: "completed", winner: "alpha", changes: { written_back: true, files: ["deliverables/x.md"] } });
    const patch = readFileSync(baseline.changes!.patch_path, "utf8");
    const written = deliverables(p0.deliverablesDir);
    expect(written).toEqual({ "x.md": "from alpha, edited\n" });

    let killPoints = 0;
    for (let k = 1; k < 200; k++) {
      const p = project();
      const killed = await run({ ...options, clock: new SimulatedClock(), project: p, env: { CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
      if (existsSync(join(killed.log_dir, "result.json"))) break;
      killPoints++;
      const resumed = await resumeRun(killed.log_dir, { config: execute, project: p, clock: new SimulatedClock(), env: {} });
      const { changes: _c, ...rest } = outcome(resumed);
      const { changes: _b, ...expected } = outcome(baseline);
      expect(rest, `k=${k}`).toEqual(expected);
      expect(resumed.changes, `k=${k}`).toMatchObject({ written_back: true, files: ["deliverables/x.md"], conflicts: [] });
      expect(readFileSync(resumed.changes!.patch_path, "utf8"), `k=${k}`).toBe(patch);
      expect(deliverables(p.deliverablesDir), `k=${k}`).toEqual(written);
      expect(filesUnder(killed.log_dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    }
    console.log(`[resume] an execute run (write_file, edit_file, read_file): kill points tried: ${killPoints}, each resumed to the same changes and write-back`);
    expect(killPoints).toBeGreaterThan(10);
  }, 120_000);

  it("makes live again a call the run's stop cut off (journaled abort_reason cancel), and replays one a deadline cut off", async () => {
    const slow = team([100, 100, 100]);
    const baseline = await run({ task, config: slow, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    const clock = new SimulatedClock();
    const stop = new AbortController();
    clock.setTimeout(() => stop.abort("interrupted"), 50);
    const stopped = await run({ task, config: slow, runsDir: tempDir(), clock, env: {}, signal: stop.signal });
    expect(stopped.status).toBe("interrupted");
    const cut = eventsOf(stopped.log_dir).filter((e) => e.type === "run.turn" && (e.error as { aborted?: boolean } | undefined)?.aborted);
    expect(cut.map((e) => `${e.agentId}:${(e.error as { abort_reason?: string }).abort_reason}`)).toEqual(["alpha:cancel", "beta:cancel", "gamma:cancel"]);
    // As if killed while it was stopping: its result.json never written.
    rmSync(join(stopped.log_dir, "result.json"));
    const resumed = await resumeRun(stopped.log_dir, { config: slow, clock: new SimulatedClock(), env: {} });
    expect(outcome(resumed)).toEqual(outcome(baseline));

    const tight = { ...slow, coordination: { ...coordination, timeouts: { ...coordination.timeouts, generation: 0.05 } } };
    const timedOut = await run({ task, config: tight, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    const reasons = eventsOf(timedOut.log_dir).filter((e) => e.type === "run.turn" && (e.error as { aborted?: boolean } | undefined)?.aborted).map((e) => (e.error as { abort_reason?: string }).abort_reason);
    expect(new Set(reasons)).toEqual(new Set(["deadline"]));
  });

  it("resumes a run interrupted (SIGINT, SIGTERM) mid-voting to the uninterrupted run's outcome, making again only the calls the stop cut off", async () => {
    const slow = team([100, 100, 100]);
    const baseline = await run({ task, config: slow, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    const clock = new SimulatedClock();
    const stop = new AbortController();
    clock.setTimeout(() => stop.abort("interrupted"), 750); // mid-voting: the answers are in, the first votes are being asked
    const stopped = await run({ task, config: slow, runsDir: tempDir(), clock, env: {}, signal: stop.signal });
    expect(stopped.status).toBe("interrupted");
    const dir = stopped.log_dir;
    // Its stop settled on a winner of the votes in by then and wrote its final answer. A stop that settled on
    // another agent than the uninterrupted winner (as `conclave ask` stopped mid-voting can) leaves that one's:
    expect(readdirSync(join(dir, "final"))).toEqual([stopped.winner]);
    const other = ["alpha", "beta", "gamma"].find((id) => id !== stopped.winner && id !== baseline.winner)!;
    mkdirSync(join(dir, "final", other));
    writeFileSync(join(dir, "final", other, "answer.txt"), "An answer the stop settled on.\n");
    const before = eventsOf(dir);
    const completed = before.filter((e) => e.type === "run.turn" && e.kind === "model" && !(e.error as { aborted?: boolean } | undefined)?.aborted);
    expect(completed.length).toBeGreaterThanOrEqual(3);
    const resumed = await resumeRun(dir, { config: slow, clock: new SimulatedClock(), env: {} });
    expect(outcome(resumed)).toEqual(outcome(baseline));
    expect(JSON.parse(readFileSync(join(dir, "result.json"), "utf8"))).toMatchObject({ status: "completed", winner: baseline.winner });
    expect(existsSync(join(dir, "result.interrupted.json"))).toBe(false);
    // Only the resumed run's final answer is left (not one the stop settled on).
    expect(readdirSync(join(dir, "final"))).toEqual([baseline.winner]);
    expect(existsSync(join(dir, "final.interrupted"))).toBe(false);
    const events = eventsOf(dir);
    const after = events.slice(events.findIndex((e) => e.type === "run.resumed"));
    // No call that had completed is made again: the resumed part makes only those the journal lacks.
    const key = (e: Line) => `${e.agentId}:${e.phase}:${e.round}:${e.call}`;
    const made = after.filter((e) => e.type === "run.turn" && e.kind === "model").map(key);
    expect(made.filter((k) => completed.map(key).includes(k))).toEqual([]);
    expect(completed.length + made.length).toBe(eventsOf(baseline.log_dir).filter((e) => e.type === "run.turn" && e.kind === "model").length);
    expect(after.filter((e) => e.type === "run.finished").map((e) => e.status)).toEqual(["completed"]);
    // Resumed, it has finished: refused now, as are failed, timed-out, cancelled and over-budget runs.
    await expect(resumeRun(dir, { config: slow, env: {} })).rejects.toThrow(`run ${stopped.run_id} has finished (completed)`);
    for (const status of ["failed", "timeout", "cancelled", "budget_exceeded"]) {
      writeFileSync(join(dir, "result.json"), JSON.stringify({ status }));
      await expect(resumeRun(dir, { config: slow, env: {} })).rejects.toThrow(`run ${stopped.run_id} has finished (${status}): there is nothing to resume.`);
    }
  });

  it("refuses a second resume of a run while one goes (its resume.lock), and a run still going in this process", async () => {
    const slow = team([100, 100, 100]);
    const killed = await run({ task, config: slow, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: "4" } });
    const dir = killed.log_dir;
    const first = resumeRun(dir, { config: slow, clock: new SimulatedClock(), env: {} });
    // The lock is made within a few file-system round trips of the call.
    for (let i = 0; i < 10_000 && !existsSync(join(dir, "resume.lock")); i++) await new Promise((resolve) => setImmediate(resolve));
    const lock = JSON.parse(readFileSync(join(dir, "resume.lock"), "utf8"));
    expect(lock).toMatchObject({ pid: process.pid, host: hostname() });
    await expect(resumeRun(dir, { config: slow, clock: new SimulatedClock(), env: {} })).rejects.toThrow(
      new ConfigError(`run ${killed.run_id} is being resumed by pid ${process.pid} on ${hostname()}: wait for it to end, or stop it (Ctrl+C, or kill ${process.pid}), then resume it if it is still not done.`),
    );
    expect((await first).status).toBe("completed");
    expect(existsSync(join(dir, "resume.lock"))).toBe(false);

    // A lock left by a resume whose process is gone is taken over.
    const again = await run({ task, config: slow, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: "4" } });
    writeFileSync(join(again.log_dir, "resume.lock"), JSON.stringify({ pid: gonePid, host: hostname(), token: "00" }));
    expect((await resumeRun(again.log_dir, { config: slow, clock: new SimulatedClock(), env: {} })).status).toBe("completed");

    // A run going in this process (its status.json names our pid) is not resumed under it.
    let going: Promise<RunResult> | undefined;
    const started = new Promise<string>((resolve) => {
      going = run({ task, config: slow, runsDir: tempDir(), env: {}, onStart: ({ logDir }) => resolve(logDir) });
    });
    const goingDir = await started;
    const goingId = JSON.parse(readFileSync(join(goingDir, "run_description.json"), "utf8")).run_id;
    await expect(resumeRun(goingDir, { config: slow, env: {} })).rejects.toThrow(`run ${goingId} is still going (pid ${process.pid} on ${hostname()})`);
    expect((await going!).status).toBe("completed");
  });

  it("cuts off a last line the kill tore, so the run.resumed line starts a line of its own and from_event counts the file's lines", async () => {
    const killed = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: "5" } });
    const path = join(killed.log_dir, "events.jsonl");
    const whole = readFileSync(path, "utf8");
    writeFileSync(path, `${whole}{"t":3,"type":"run.turn","agentId":"al`);
    const resumed = await resumeRun(killed.log_dir, { config, clock: new SimulatedClock(), env: {} });
    expect(resumed.status).toBe("completed");
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.at(-1)).toBe("");
    expect(() => lines.slice(0, -1).map((l) => JSON.parse(l))).not.toThrow();
    const at = whole.split("\n").length - 1;
    expect(JSON.parse(lines[at]!).type).toBe("run.resumed");
    expect(JSON.parse(lines[at]!).from_event).toBe(at);
    expect(JSON.parse(readFileSync(join(killed.log_dir, "run_description.json"), "utf8")).resumed).toEqual([{ at: expect.any(String), from_event: at }]);
  });

  it("refuses a run whose process is still going, one given its config as an object, and one whose context changed", async () => {
    const frozen = async (extra: Partial<Parameters<typeof run>[0]> = {}) =>
      (await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_FREEZE_AFTER_WRITES: "3" }, ...extra })).log_dir;
    const going = await frozen();
    const description = JSON.parse(readFileSync(join(going, "run_description.json"), "utf8"));
    // Owned by a process that lives (the one that started this test's): not resumed under it.
    writeFileSync(join(going, "status.json"), JSON.stringify({ meta: { pid: process.ppid, host: hostname(), heartbeat_at: new Date().toISOString() } }));
    await expect(resumeRun(going, { config, env: {} })).rejects.toThrow(
      new ConfigError(`run ${description.run_id} is still going (pid ${process.ppid} on ${hostname()}): stop it first (Ctrl+C, or kill ${process.ppid}), then resume it.`),
    );
    const objectConfig = await frozen();
    const id = JSON.parse(readFileSync(join(objectConfig, "run_description.json"), "utf8")).run_id;
    await expect(resumeRun(objectConfig, { env: {} })).rejects.toThrow(
      new ConfigError(`run ${id} was given its config as an object (run_description.json has no \`config_path\`): pass the same config, resumeRun(dir, { config }).`),
    );
    const withContext = await frozen({ context: "The API serves 2k requests a second." });
    await expect(resumeRun(withContext, { config, env: {}, context: "Another context." })).rejects.toThrow(/had a context \(sha256 [0-9a-f]{12}…\) that is not the one given now/);
    const resumed = await resumeRun(withContext, { config, env: {}, clock: new SimulatedClock(), context: "The API serves 2k requests a second." });
    expect(resumed.status).toBe("completed");
  });

  it("refuses a run made without its call journal (CONCLAVE_CALL_JOURNAL=off), saying so", async () => {
    const message = (id: string) => new ConfigError(`run ${id} ran without its call journal (CONCLAVE_CALL_JOURNAL=off: events.jsonl has no \`run.turn\` records), so its model calls cannot be replayed: it cannot be resumed. Start it again instead.`);
    const offAt = (k: number) => run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: { CONCLAVE_CALL_JOURNAL: "off", CONCLAVE_FREEZE_AFTER_WRITES: String(k) } });
    // The first kill point with an agent's event in events.jsonl.
    let off = await offAt(1);
    for (let k = 2; k < 10 && !eventsOf(off.log_dir).some((e) => e.type.startsWith("run.agent.")); k++) off = await offAt(k);
    expect(existsSync(join(off.log_dir, "result.json"))).toBe(false);
    expect(JSON.parse(readFileSync(join(off.log_dir, "run_description.json"), "utf8")).call_journal).toBe(false);
    await expect(resumeRun(off.log_dir, { config, env: {} })).rejects.toThrow(message(off.run_id));
    // One that does not say so (made before it was recorded): its agents' events with no run.turn tell.
    const description = JSON.parse(readFileSync(join(off.log_dir, "run_description.json"), "utf8"));
    delete description.call_journal;
    writeFileSync(join(off.log_dir, "run_description.json"), JSON.stringify(description));
    expect(eventsOf(off.log_dir).some((e) => e.type.startsWith("run.agent."))).toBe(true);
    await expect(resumeRun(off.log_dir, { config, env: {} })).rejects.toThrow(message(off.run_id));
  });

  it("refuses a run that has finished, saying so", async () => {
    const done = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    await expect(resumeRun(done.log_dir, { config, env: {} })).rejects.toThrow(new ConfigError(`run ${done.run_id} has finished (completed): there is nothing to resume. Start a new run instead.`));
  });
});
