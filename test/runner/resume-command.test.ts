import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, onlyRunDir, readJson, removeDir, runCli, startCli, writeConfig } from "../support/cli-process.ts";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server.ts";

let tmp: string;
let server: FakeLlmServer;
// Set by a test: called with the number of each request as it arrives.
let onRequest: ((n: number) => void) | undefined;

const ANSWERS: Record<string, string> = { alpha: "cache reads in Redis with a TTL per key", beta: "keep an LRU in each process", gamma: "put a CDN in front of the API" };

beforeAll(async () => {
  tmp = makeTempDir("conclave-resume-cli-");
  let n = 0;
  // Replies by what is asked, 150 ms each: each agent answers its own way, alpha votes B, the others A; the winner presents.
  server = await startFakeLlmServer({
    reply: (body) => {
      onRequest?.(++n);
      const messages = body.messages as { role: string; content: unknown }[];
      const id = /You are (\w+)/.exec(String(messages.find((m) => m.role === "system")?.content ?? ""))?.[1] ?? "someone";
      const tools = ((body.tools as { function: { name: string } }[] | undefined) ?? []).map((t) => t.function.name);
      const delayMs = 150;
      if (tools.includes("vote")) return { delayMs, toolCalls: [{ name: "vote", arguments: JSON.stringify({ answer: id === "alpha" ? "B" : "A", reason: "it is sound" }) }] };
      if (tools.includes("new_answer")) return { delayMs, toolCalls: [{ name: "new_answer", arguments: JSON.stringify({ content: `${id}: ${ANSWERS[id]}` }) }] };
      return { delayMs, text: `Final: ${id} presents its answer.` };
    },
  });
});
afterAll(async () => {
  await server.close();
  removeDir(tmp);
});

const config = () =>
  writeConfig(
    tmp,
    "loopback.yaml",
    `agents:\n${["alpha", "beta", "gamma"].map((id) => `  - id: ${id}\n    system: You are ${id}, a pragmatic engineer.\n    backend: { type: openai, model: gpt-4.1-mini, base_url: "${server.url}/v1" }\n`).join("")}coordination:\n  max_rounds: 2\n`,
  );
const env = { OPENAI_API_KEY: "test-openai-key" };
const calls = () => server.counts["/v1/chat/completions"] ?? 0;
const modelTurns = (dir: string) =>
  readFileSync(join(dir, "events.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === "run.turn" && e.kind === "model").length;

describe("conclave resume", () => {
  it("completes a `conclave ask` killed with SIGKILL mid-run, calling the backend as often as an uninterrupted run plus the calls in flight at the kill", async () => {
    const file = config();
    const uninterruptedDir = join(tmp, "uninterrupted");
    server.reset();
    const whole = await runCli(["ask", "Design a cache for the API", "--config", file, "--runs-dir", uninterruptedDir], { cwd: tmp, env, timeoutMs: 60_000 });
    expect(whole.code, whole.stderr).toBe(0);
    const uninterrupted = calls();
    expect(uninterrupted).toBe(7);

    // Killed when the 5th call arrives: the three answers are in the journal, votes are in flight.
    server.reset();
    const runsDir = join(tmp, "killed");
    const ask = startCli(["ask", "Design a cache for the API", "--config", file, "--runs-dir", runsDir], { cwd: tmp, env, timeoutMs: 60_000 });
    onRequest = (n) => {
      if (n === 5) ask.child.kill("SIGKILL");
    };
    const killed = await ask.exited;
    onRequest = undefined;
    expect(killed.signal).toBe("SIGKILL");
    const dir = onlyRunDir(runsDir);
    const byKilled = calls();
    const recorded = modelTurns(dir);
    expect(recorded).toBeGreaterThanOrEqual(3); // every answer (a reply takes 150 ms; the kill is sent at once)
    const inFlight = byKilled - recorded;

    const status = await runCli(["status", dir], { cwd: tmp, env });
    expect(status.stdout).toMatch(/abandoned/);
    const resumed = await runCli(["resume", dir, "--automation"], { cwd: tmp, env, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout.split("\n")[0]).toBe(`LOG_DIR: ${dir}`);
    expect(resumed.stdout).toContain("Winner: alpha (2 of 3 votes)");
    expect(resumed.stderr).toContain(`Resuming ${dir}: ${recorded} recorded calls to replay, then the run goes on.`);
    const result = readJson<{ status: string; winner: string; usage: { llm_calls: number } }>(join(dir, "result.json"));
    expect(result).toMatchObject({ status: "completed", winner: "alpha", usage: { llm_calls: 7 } });
    expect(readJson(join(dir, "status.json"))).toMatchObject({ results: { status: "completed", winner: "alpha" }, coordination: { phase: "finalization", completion_percentage: 100 } });
    console.log(`[resume] SIGKILL of conclave ask: ${byKilled} calls before the kill + ${calls() - byKilled} by the resume = ${uninterrupted} uninterrupted + ${inFlight} in flight`);
    expect(calls()).toBe(uninterrupted + inFlight);
    // The votes asked for before the process was gone (the kill is sent at the 5th, a 6th may arrive first).
    expect(inFlight).toBeGreaterThanOrEqual(1);
    expect(inFlight).toBeLessThanOrEqual(3);

    // Resumed once, it has finished: a second resume is refused.
    const again = await runCli(["resume", dir], { cwd: tmp, env });
    expect(again).toMatchObject({ code: 1, stdout: "" });
    expect(again.stderr).toBe(`conclave: run ${readJson<{ run_id: string }>(join(dir, "run_description.json")).run_id} has finished (completed): there is nothing to resume. Start a new run instead.\n`);
  }, 120_000);

  it("completes a `conclave ask` interrupted with Ctrl+C (SIGINT) mid-voting, with the uninterrupted winner, making no completed call again", async () => {
    const file = config();
    server.reset();
    const runsDir = join(tmp, "interrupted");
    const ask = startCli(["ask", "Design a cache for the API", "--config", file, "--runs-dir", runsDir], { cwd: tmp, env, timeoutMs: 60_000 });
    let seen = 0;
    onRequest = () => {
      if (++seen === 5) ask.child.kill("SIGINT");
    };
    const stopped = await ask.exited;
    onRequest = undefined;
    expect(stopped.code, stopped.stderr).toBe(4);
    const dir = onlyRunDir(runsDir);
    expect(readJson<{ status: string }>(join(dir, "result.json")).status).toBe("interrupted");
    const lines = () => readFileSync(join(dir, "events.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    // Stopped mid-voting: the three answers were in when the 5th call (a vote) was asked.
    expect(lines().filter((e) => e.type === "run.agent.answered")).toHaveLength(3);
    const completed = lines().filter((e) => e.type === "run.turn" && e.kind === "model" && !e.error?.aborted).length;
    const byStopped = calls();

    // While another process resumes it (its resume.lock names a live pid: this test's), it is refused.
    const lock = join(dir, "resume.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: "0a" }));
    const runId = readJson<{ run_id: string }>(join(dir, "run_description.json")).run_id;
    expect(await runCli(["resume", dir], { cwd: tmp, env })).toMatchObject({
      code: 1,
      stdout: "",
      stderr: `conclave: run ${runId} is being resumed by pid ${process.pid} on ${hostname()}: wait for it to end, or stop it (Ctrl+C, or kill ${process.pid}), then resume it if it is still not done.\n`,
    });
    rmSync(lock);

    const resumed = await runCli(["resume", dir, "--automation"], { cwd: tmp, env, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain("Winner: alpha (2 of 3 votes)");
    expect(readJson(join(dir, "result.json"))).toMatchObject({ status: "completed", winner: "alpha", usage: { llm_calls: 7 } });
    // Each of the 7 calls of an uninterrupted run completed once, across both processes; those the stop cut off were made again.
    expect(completed + (calls() - byStopped)).toBe(7);
  }, 120_000);

  it("says how to call it when no run is given", async () => {
    const outcome = await runCli(["resume"], { cwd: tmp, env });
    expect(outcome).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "conclave: `conclave resume` takes one run, got 0. Usage: conclave resume <run-dir | run-id | latest>; `conclave resume --help` says more.\n",
    });
  });

  it("with `latest` and no run anywhere, says so and how to pass a run to `conclave resume`", async () => {
    const empty = makeTempDir();
    try {
      const outcome = await runCli(["resume", "latest"], { cwd: empty, env });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/^conclave: no run found: .*, or pass a run directory: `conclave resume <run-dir>`\.\n$/);
    } finally {
      removeDir(empty);
    }
  });
});
