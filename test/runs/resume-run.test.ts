import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { ConfigError } from "../../framework/errors.ts";
import { resumeRun } from "../../framework/runs/resume-run.ts";
import { run } from "../../framework/runs/run.ts";
import type { RunResult } from "../../framework/runs/run-result.ts";
import { scripted } from "../support/scripted-run.ts";

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
const config: ConfigInput = {
  agents: [
    scripted("alpha", { latency_ms: 0, script: [{ answer: "Use Redis." }, { answer: "Use Redis with write-through, a TTL per key and a warm-up job at deploy time." }, { vote: "B", reason: "also fine" }] }),
    scripted("beta", { latency_ms: 0, fail: { kind: "server", times: 1 }, script: [{ answer: "Use an in-process LRU cache." }, { vote: "A", reason: "A is good" }, { vote: "A", reason: "A is better now" }] }),
    scripted("gamma", { latency_ms: 0, script: [{ answer: "Put a CDN in front of the API." }, { vote: "A", reason: "A" }, { vote: "A", reason: "A, revised" }] }),
  ],
  coordination,
};
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
  it("ends every run killed after its k-th journal write, for every k, as the uninterrupted run ends, calling no recorded turn again", async () => {
    const baseline = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    expect(baseline.status).toBe("completed");
    expect(baseline.answers.map((a) => a.version)).toEqual(["alpha.1", "gamma.1", "beta.1", "alpha.2"]);
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
    console.log(`[resume] kill points tried: ${killPoints}, each resumed to the uninterrupted run's outcome`);
    expect(killPoints).toBeGreaterThan(10);
  }, 120_000);

  it("refuses a run that has finished, saying so", async () => {
    const done = await run({ task, config, runsDir: tempDir(), clock: new SimulatedClock(), env: {} });
    await expect(resumeRun(done.log_dir, { config, env: {} })).rejects.toThrow(new ConfigError(`run ${done.run_id} has finished (completed): there is nothing to resume. Start a new run instead.`));
  });
});
