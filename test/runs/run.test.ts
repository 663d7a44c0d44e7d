import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { SimulatedClock } from "../../framework/clock.ts";
import { ConfigError } from "../../framework/errors.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { run } from "../../framework/runs/run.ts";
import { cleanRuns, runScripted, scripted } from "../support/scripted-run.ts";

afterAll(cleanRuns);

const agents = (n: number) => ["alpha", "beta", "gamma", "delta", "epsilon"].slice(0, n).map((id, i) => scripted(id, { latency_ms: 50 + 30 * i }));
const coordination = { timeouts: { run: 600, generation: 60, voting: 60, presentation: 60, call: 30, idle: 30 } };

describe("run()", () => {
  it.each([
    [1, "alpha", "1 of 1 vote"],
    [2, "alpha", "tie 1-1 broken by earliest answer"],
    [3, "beta", "2 of 3 votes"],
    [5, "beta", "4 of 5 votes"],
  ])("completes with %i agent(s), a winner chosen by votes and every file written", async (n, winner, reason) => {
    const { result, files } = await runScripted({ agents: agents(n), coordination });
    expect(result.status).toBe("completed");
    expect(result).toMatchObject({ winner, winner_reason: reason });
    expect(Object.values(result.votes).reduce((a, b) => a + b, 0)).toBe(n);
    expect(files.read(`final/${result.winner}/answer.txt`).trim()).toBe(result.answer);
    expect(files.result).toEqual(result);
    for (const a of agents(n)) expect(files.agentFiles[a.id]).toEqual(["answer-1.md", "vote-1.json"]);
    expect(files.status.results).toMatchObject({ status: "completed", winner: result.winner, votes: result.votes });
    expect(files.status.coordination).toMatchObject({ phase: "finalization", completion_percentage: 100, is_final_presentation: true });
    // Each agent answered once and voted once: none restarted.
    for (const a of agents(n)) expect(files.status.agents[a.id].times_restarted, a.id).toBe(0);
  });

  it("lets a lone agent vote for its own answer under balanced voting", async () => {
    const { result } = await runScripted({ agents: agents(1), coordination });
    expect(result).toMatchObject({ winner: "alpha", winner_reason: "1 of 1 vote", votes: { "alpha.1": 1 } });
  });

  it("runs one agent, generation only, in single mode", async () => {
    const { result, files } = await runScripted({ agents: agents(3), coordination }, { agent_mode: "single" });
    expect(result).toMatchObject({ status: "completed", winner: "alpha", winner_reason: "single agent", votes: { "alpha.1": 0 } });
    expect(result.answers.map((a) => a.version)).toEqual(["alpha.1"]);
    expect(files.events.filter((e) => e.type === "run.phase").map((e) => e.phase)).toEqual(["planning", "generation", "finalization"]);
    expect(Object.keys(files.agentFiles)).toEqual(["alpha"]);
  });

  it("holds one vote-only round without refinement", async () => {
    const config: ConfigInput = {
      agents: [
        scripted("alpha", { script: [{ answer: "Use Redis with a TTL per key." }, { answer: "A revised answer that would be refused." }, { vote: "B", reason: "simpler" }] }),
        scripted("beta", { latency_ms: 150, script: [{ answer: "Use an in-process LRU cache." }, { vote: "A", reason: "scales" }] }),
      ],
      coordination,
    };
    const { result, files } = await runScripted(config, { refinement: false });
    // alpha's scripted new_answer is not offered: it is told to vote, and votes with its next turn.
    expect(files.events.filter((e) => e.type === "run.agent.tool_call").map((e) => [e.agentId, e.name, e.ok])).toEqual([["alpha", "new_answer", false]]);
    expect(result).toMatchObject({ winner: "alpha", winner_reason: "tie 1-1 broken by earliest answer", votes: { "alpha.1": 1, "beta.1": 1 } });
    expect(files.status.coordination.round).toBe(2);
  });

  it("counts votes for revised answers and voids votes for superseded ones", async () => {
    const config: ConfigInput = {
      agents: [
        scripted("alpha", { latency_ms: 50, script: [{ answer: "Use Redis." }, { answer: "Use Redis with write-through, a TTL per key and a warm-up job at deploy time." }, { vote: "B", reason: "also fine" }] }),
        scripted("beta", { latency_ms: 80, script: [{ answer: "Use an in-process LRU cache." }, { vote: "A", reason: "A is good" }, { vote: "A", reason: "A is better now" }] }),
        scripted("gamma", { latency_ms: 110, script: [{ answer: "Put a CDN in front of the API." }, { vote: "A", reason: "A" }, { vote: "A", reason: "A, revised" }] }),
      ],
      coordination,
    };
    const { result, files } = await runScripted(config);
    expect(result.answers.map((a) => a.version)).toEqual(["alpha.1", "beta.1", "gamma.1", "alpha.2"]);
    expect(result).toMatchObject({ status: "completed", winner: "alpha", winner_reason: "2 of 3 votes", votes: { "alpha.2": 2, "beta.1": 1, "gamma.1": 0 } });
    expect(files.agentFiles.alpha).toEqual(["answer-1.md", "answer-2.md", "vote-1.json"]);
    expect(files.agentFiles.beta).toEqual(["answer-1.md", "vote-1.json", "vote-2.json"]);
    expect(JSON.parse(files.read("agents/beta/vote-1.json"))).toEqual({ round: 2, label: "A", answer: "alpha.1", reason: "A is good" });
    expect(JSON.parse(files.read("agents/beta/vote-2.json"))).toEqual({ round: 3, label: "A", answer: "alpha.2", reason: "A is better now" });
    expect(files.read("agents/alpha/answer-2.md")).toContain("write-through");
    // alpha.2 started a third round: every agent went again once, which is a restart; the first voting round is not.
    expect(Object.fromEntries(Object.entries(files.status.agents as Record<string, { times_restarted: number }>).map(([id, a]) => [id, a.times_restarted]))).toEqual({ alpha: 1, beta: 1, gamma: 1 });
  });

  it("refuses an answer too similar to an existing one and takes the agent's vote instead", async () => {
    const config: ConfigInput = {
      agents: [
        scripted("alpha", { script: [{ answer: "Use Redis with a TTL of five minutes per key." }, { answer: "Use Redis with a TTL of five minutes per key!" }, { vote: "B", reason: "fine" }] }),
        scripted("beta", { latency_ms: 150, script: [{ answer: "Use an in-process LRU cache." }, { vote: "A", reason: "scales" }] }),
      ],
      coordination,
    };
    const { result, files } = await runScripted(config);
    const refused = files.events.filter((e) => e.type === "run.agent.tool_call");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ agentId: "alpha", name: "new_answer", ok: false });
    expect(String(refused[0]!.error)).toContain("too similar to answer A (similarity 1.00, the limit is 0.9)");
    expect(result.answers.map((a) => a.version)).toEqual(["alpha.1", "beta.1"]);
    expect(result.votes).toEqual({ "alpha.1": 1, "beta.1": 1 });
  });

  it("offers no new_answer to an agent at max_answers_per_agent", async () => {
    const config: ConfigInput = {
      agents: [
        scripted("alpha", { script: [{ answer: "Use Redis." }, { answer: "A completely different revised plan with queues." }, { vote: "B", reason: "ok" }] }),
        scripted("beta", { latency_ms: 150, script: [{ answer: "Use an LRU." }, { vote: "A", reason: "ok" }] }),
      ],
      coordination: { ...coordination, max_answers_per_agent: 1 },
    };
    const { result, files } = await runScripted(config);
    expect(files.events.filter((e) => e.type === "run.agent.tool_call").map((e) => [e.agentId, e.name, e.ok])).toEqual([["alpha", "new_answer", false]]);
    expect(result.answers.map((a) => a.version)).toEqual(["alpha.1", "beta.1"]);
    expect(result.agents.alpha!.vote).toBe("beta.1");
  });

  it("breaks a tie by the earliest answer", async () => {
    const { result } = await runScripted({ agents: agents(2), coordination });
    expect(result).toMatchObject({ winner: "alpha", winner_reason: "tie 1-1 broken by earliest answer", votes: { "alpha.1": 1, "beta.1": 1 } });
  });

  it("takes the earliest answer, and says so, when nobody votes", async () => {
    const textOnly = { script: [{ answer: "x" }, { text: "I think B." }, { text: "Still B." }] };
    const config: ConfigInput = {
      agents: [
        scripted("alpha", { latency_ms: 60, script: [{ answer: "Use Redis for the hot keys." }, ...textOnly.script.slice(1)] }),
        scripted("beta", { latency_ms: 40, script: [{ answer: "Use an LRU cache in process." }, ...textOnly.script.slice(1)] }),
      ],
      coordination,
    };
    const { result, files } = await runScripted(config);
    expect(result).toMatchObject({ status: "completed", winner: "beta", winner_reason: "no votes; earliest answer", votes: { "alpha.1": 0, "beta.1": 0 } });
    expect(result.agents.alpha!.error).toContain("invalid reply twice");
    expect(files.agentFiles.alpha).toEqual(["answer-1.md"]);
  });

  it("stops voting at max_rounds and counts only votes for current answers", async () => {
    const config: ConfigInput = {
      agents: [
        scripted("alpha", { script: [{ answer: "one two three" }, { answer: "four five six seven" }, { answer: "eight nine ten eleven twelve" }] }),
        scripted("beta", { latency_ms: 120, script: [{ answer: "a cache in process" }, { vote: "A", reason: "r" }, { vote: "A", reason: "r" }] }),
      ],
      coordination: { ...coordination, max_rounds: 3, max_answers_per_agent: 5 },
    };
    const { result, files } = await runScripted(config);
    expect(files.status.coordination.round).toBe(3);
    expect(result.answers.map((a) => a.version)).toEqual(["alpha.1", "beta.1", "alpha.2", "alpha.3"]);
    expect(result).toMatchObject({ winner: "beta", winner_reason: "no votes; earliest answer", votes: { "alpha.3": 0, "beta.1": 0 } });
  });

  it("gives the same answers, votes and winner when run twice", async () => {
    const one = await runScripted({ agents: agents(3), coordination });
    const two = await runScripted({ agents: agents(3), coordination });
    const strip = (r: typeof one.result) => ({ ...r, run_id: "", log_dir: "", final_answer_path: "", started_at: "" });
    expect(strip(two.result)).toEqual(strip(one.result));
    const events = (f: typeof one.files) => f.events.map(({ t, type, ...rest }) => ({ t, type, ...rest }));
    expect(events(two.files)).toEqual(events(one.files));
  });
});

describe("run() with structured output", () => {
  const output = z.object({ steps: z.array(z.string()).min(1) });

  it("repairs invalid data once, then returns it typed and validated", async () => {
    const config: ConfigInput = { agents: [scripted("alpha", { script: [{ answer: "plan", data: { steps: "not a list" } }, { answer: "plan", data: { steps: ["a", "b"] } }] })], coordination };
    const { result, files } = await runScripted(config, { output, agent_mode: "single" });
    expect(result).toMatchObject({ status: "completed", data: { steps: ["a", "b"] } });
    const refused = files.events.filter((e) => e.type === "run.agent.tool_call");
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.error)).toBe("The `data` of your answer does not match its schema: `steps` Invalid input: expected array, received string. Call `new_answer` again with corrected `data`.");
  });

  it("fails the agent's turn with a clear message after a second invalid reply", async () => {
    const config: ConfigInput = { agents: [scripted("alpha", { script: [{ answer: "plan" }, { answer: "plan", data: { steps: [] } }] })], coordination };
    const { result } = await runScripted(config, { output, agent_mode: "single" });
    expect(result.status).toBe("failed");
    expect(result.agents.alpha!.error).toBe(
      "agent `alpha` (scripted) made an invalid reply twice; the second: The `data` of your answer does not match its schema: `steps` Too small: expected array to have >=1 items. Call `new_answer` again with corrected `data`. Check that the step's `output` schema is one the answers can fill (say what its fields mean in the task), or use another model for this agent.",
    );
  });
});

describe("run() watchdogs", () => {
  const hung = { timeouts: { run: 600, generation: 10, voting: 20, presentation: 10, call: 300, idle: 30 } };

  it("ends within the voting deadline plus 1 s when one agent hangs, and marks it timed_out", async () => {
    const config: ConfigInput = { agents: [scripted("alpha"), scripted("beta"), scripted("gamma", { hang: true })], coordination: hung };
    const { result, clock, files } = await runScripted(config);
    const generationEnd = 10_000;
    expect(clock.now()).toBeLessThanOrEqual(generationEnd + 20_000 + 1_000);
    expect(result.status).toBe("completed");
    expect(["alpha", "beta"]).toContain(result.winner);
    expect(result.agents.gamma).toMatchObject({ status: "timed_out", answers: 0 });
    expect(result.agents.gamma!.error).toContain("coordination.timeouts.voting");
    expect(clock.pending).toBe(0);
    expect(files.status.agents.gamma.status).toBe("timed_out");
  });

  it("aborts a call that outlives coordination.timeouts.call and goes on without it", async () => {
    const config: ConfigInput = {
      agents: [scripted("alpha"), scripted("beta", { latency_ms: 5_000 })],
      coordination: { ...coordination, timeouts: { ...coordination.timeouts, call: 1 } },
    };
    const { result } = await runScripted(config);
    expect(result.agents.beta).toMatchObject({ status: "failed" });
    expect(result.agents.beta!.error).toContain("no reply within 1 s (`coordination.timeouts.call`). Raise `coordination.timeouts.call`");
    expect(result.winner).toBe("alpha");
  });

  it("goes on without an agent that fails every call", async () => {
    const config: ConfigInput = { agents: [scripted("alpha"), scripted("beta"), scripted("gamma", { fail: { times: "always", kind: "overloaded" } })], coordination };
    const { result, files } = await runScripted(config);
    expect(result.status).toBe("completed");
    expect(result.agents.gamma).toMatchObject({ status: "failed", answers: 0 });
    expect(result.agents.gamma!.error).toContain("simulated overloaded error");
    // 1 call + 3 retries in generation, and again in the voting round.
    expect(files.events.filter((e) => e.type === "run.agent.retry" && e.agentId === "gamma")).toHaveLength(6);
    expect(Object.values(result.votes).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it("recovers from failures that retries outlast", async () => {
    const config: ConfigInput = { agents: [scripted("alpha", { fail: { times: 2, kind: "rate_limit", retry_after_ms: 1500 } }), scripted("beta")], coordination };
    const { result, files } = await runScripted(config);
    expect(result.status).toBe("completed");
    expect(result.agents.alpha).toMatchObject({ answers: 1, error: null });
    expect(files.events.filter((e) => e.type === "run.agent.retry").map((e) => e.delay_ms)).toEqual([1500, 1500]);
  });

  it("takes an agent out for the rest of the run after an auth failure", async () => {
    const config: ConfigInput = { agents: [scripted("alpha"), scripted("beta", { fail: { times: "always", kind: "auth" } })], coordination };
    const { result, files } = await runScripted(config);
    expect(result.agents.beta).toMatchObject({ status: "failed" });
    expect(files.events.filter((e) => e.type === "run.agent.failed").map((e) => e.agentId)).toEqual(["beta"]);
    expect(result.winner).toBe("alpha");
  });

  it("fails the run when every agent fails", async () => {
    const config: ConfigInput = { agents: [scripted("alpha", { fail: { times: "always", kind: "auth" } }), scripted("beta", { fail: { times: "always", kind: "bad_request" } })], coordination };
    const { result, files } = await runScripted(config);
    expect(result).toMatchObject({ status: "failed", winner: null, answer: null, final_answer_path: null });
    expect(result.status_reason).toContain("no agent answered");
    expect(result.status_reason).toContain("alpha: scripted agent `alpha`: simulated auth error");
    expect(files.exists("final")).toBe(false);
    expect(files.status.results.status).toBe("failed");
    expect(files.status.coordination).toMatchObject({ phase: "finalization", completion_percentage: 100, is_final_presentation: false });
  });

  it("ends at the run's timeout with the best answer so far", async () => {
    const config: ConfigInput = {
      agents: [scripted("alpha", { script: [{ answer: "Use Redis." }] }), scripted("beta", { hang: true })],
      coordination: { ...coordination, timeouts: { ...coordination.timeouts, run: 5 } },
    };
    const { result, clock, files } = await runScripted(config);
    expect(clock.now()).toBe(5_000);
    expect(result).toMatchObject({ status: "timeout", winner: "alpha", answer: "Use Redis.", winner_reason: "only answer; no votes" });
    expect(result.status_reason).toContain("coordination.timeouts.run");
    expect(files.read("final/alpha/answer.txt")).toBe("Use Redis.\n");
    expect(files.status.results.status).toBe("timeout");
  });
});

describe("run() and its context", () => {
  it("keeps a hash of the context in run_description.json, not a copy", async () => {
    const context = "The API serves 10k requests per second; keep p99 under 50 ms.";
    const { files } = await runScripted({ agents: agents(1), coordination }, { context });
    expect(files.description).toMatchObject({ context_sha256: createHash("sha256").update(context).digest("hex"), context_bytes: Buffer.byteLength(context) });
    expect(files.description).not.toHaveProperty("context");
  });

  it("refuses a `context` option over `context.max_mb` before writing anything", async () => {
    const runsDir = mkdtempSync(join(tmpdir(), "conclave-run-"));
    try {
      const attempt = run({ task: "Summarise", context: "x".repeat(3000), config: { agents: agents(1), context: { max_mb: 0.002 } }, runsDir, env: {} });
      await expect(attempt).rejects.toThrow(
        new ConfigError(
          "the run's context is 2.9 KB, more than the 2 KB cap (`context.max_mb` in the config); the biggest parts: the run's `context` option 2.9 KB. " +
            "Shorten CONTEXT.md to goals, constraints and state (files listed in filepaths.json are cut to 20 KB each), or raise `context.max_mb`. Nothing was sent to a model.",
        ),
      );
      expect(readdirSync(runsDir)).toEqual([]);
    } finally {
      rmSync(runsDir, { recursive: true, force: true });
    }
  });
});

describe("run() and its runs directory", () => {
  it("makes a missing runs directory, nested, and makes it again when it was removed between two runs", async () => {
    const base = mkdtempSync(join(tmpdir(), "conclave-run-"));
    try {
      const runsDir = join(base, "a", "b", "runs");
      const first = await run({ task: "Summarise", config: { agents: agents(1) }, runsDir, env: {} });
      expect(first.status).toBe("completed");
      rmSync(join(base, "a"), { recursive: true, force: true });
      const second = await run({ task: "Summarise", config: { agents: agents(1) }, runsDir, env: {} });
      expect(second.status).toBe("completed");
      expect(readdirSync(runsDir).filter((name) => !name.startsWith("."))).toEqual([second.run_id]);
      expect(JSON.parse(readFileSync(join(second.log_dir, "result.json"), "utf8")).status).toBe("completed");
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe("run() and its owner", () => {
  it("names this process in run_description.json and status.json, with a wall-clock heartbeat under a simulated clock", async () => {
    const before = Date.now();
    const { files } = await runScripted({ agents: agents(2), coordination });
    const after = Date.now();
    expect(files.description).toMatchObject({ pid: process.pid, host: hostname() });
    expect(files.status.meta).toMatchObject({ pid: process.pid, host: hostname() });
    const beat = Date.parse(files.status.meta.heartbeat_at as string);
    expect(beat).toBeGreaterThanOrEqual(before);
    expect(beat).toBeLessThanOrEqual(after);
  });
});

describe("run() and the project's index", () => {
  it("returns its result, and says so, when runs/index.json cannot be updated", async () => {
    const dir = mkdtempSync(join(tmpdir(), "conclave-run-index-"));
    try {
      const project = openProject(join(dir, "p"), { create: true });
      mkdirSync(project.runsDir, { recursive: true });
      writeFileSync(join(project.runsDir, "index.json"), "{ not json");
      const notices: string[] = [];
      const result = await run({ task: "Summarise", project, config: { agents: agents(1), coordination }, env: {}, clock: new SimulatedClock(), onNotice: (line) => notices.push(line) });
      expect(result.status).toBe("completed");
      expect(existsSync(join(result.log_dir, "result.json"))).toBe(true);
      expect(notices.filter((n) => n.startsWith(`Warning: the run finished, but \`${project.runsDir}/index.json\` was not updated: `))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
