import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { run } from "../../framework/runs/run.ts";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server.ts";
import { readRun } from "../support/scripted-run.ts";

const aimock = inject("aimockUrl");
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const coordination = {
  max_rounds: 3,
  retry: { attempts: 1, base_delay: 0.01, max_delay: 0.02, max_retry_after: 0.1 },
  timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 10 },
};
const env = { OPENAI_API_KEY: "test-openai-key", ANTHROPIC_API_KEY: "test-anthropic-key" };
const openai = (id: string, url: string, model = "gpt-4.1-mini") => ({ id, system: `You are ${id}, a pragmatic engineer.`, backend: { type: "openai" as const, model, base_url: `${url}/v1` } });
const anthropic = (id: string, url: string, model = "claude-haiku-4-5") => ({ id, system: `You are ${id}, a careful reviewer.`, backend: { type: "anthropic" as const, model, base_url: url } });

describe("run() against real SDKs on loopback", () => {
  it.each([
    ["OpenAI", (url: string) => [openai("alpha", url), openai("beta", url), openai("gamma", url)]],
    ["Anthropic", (url: string) => [anthropic("alpha", url), anthropic("beta", url), anthropic("gamma", url)]],
    ["a mixed team", (url: string) => [openai("alpha", url), anthropic("beta", url), { id: "gamma", backend: { type: "scripted" as const, latency_ms: 20 } }]],
  ])("completes a 3-agent run with %s: answers, votes, a presented final answer and provider usage", async (_name, agents) => {
    const config: ConfigInput = { agents: agents(aimock), coordination };
    const result = await run({ task: "Design a cache for the orders API", config, env, runsDir: tempDir("conclave-real-") });
    expect(result.status).toBe("completed");
    expect(result.answers.map((a) => a.version).sort()).toEqual(["alpha.1", "beta.1", "gamma.1"]);
    expect(Object.values(result.votes).reduce((a, b) => a + b, 0)).toBe(3);
    expect(result.winner_reason).toMatch(/of 3 votes|broken by/);
    expect(result.answer).toBeTruthy();
    const files = readRun(result.log_dir);
    expect(files.read(`final/${result.winner}/answer.txt`).trim()).toBe(result.answer);
    for (const id of ["alpha", "beta"]) {
      expect(result.agents[id]!.tokens.output_tokens).toBeGreaterThan(0);
      expect(result.agents[id]!.tokens.llm_calls).toBe(id === result.winner ? 3 : 2);
    }
    expect(files.description.agents.map((a: { backend: string }) => a.backend)).toEqual(agents(aimock).map((a) => a.backend.type));
  });
});

describe("usage and cost", () => {
  let server: FakeLlmServer;
  let prices: string;
  beforeAll(async () => {
    server = await startFakeLlmServer();
    prices = join(tempDir("conclave-prices-"), "prices.yaml");
    writeFileSync(prices, "models:\n  fake-model: { input: 1.0, output: 2.0, cached_input: 0.5, cache_write: 1.25 }\n");
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  // Two agents, generation only, then the winner presents: three calls a run.
  const twoAgents = (make: (id: string, url: string, model: string) => ConfigInput["agents"][number]): ConfigInput => ({
    agents: [make("alpha", server.url, "fake-model"), make("beta", server.url, "fake-model")],
    coordination: { ...coordination, max_rounds: 1 },
  });
  const answer = (usage: object) => ({ toolCalls: [{ name: "new_answer", arguments: '{"content":"Use a read-through cache."}' }], usage });

  it("adds up OpenAI usage and cost, cached tokens included, across calls, agents and runs", async () => {
    const usage = { input: 1000, cached: 200, output: 50 };
    let total = 0;
    for (let r = 0; r < 2; r++) {
      server.enqueue(answer(usage), answer(usage), { text: "Final: use a read-through cache.", usage });
      const result = await run({ task: "Cache?", config: twoAgents(openai), env: { ...env, CONCLAVE_PRICES: prices }, runsDir: tempDir("conclave-cost-") });
      expect(result.status).toBe("completed");
      // Per call: 800 plain × $1 + 200 cached × $0.5 + 50 out × $2 per million = $0.001.
      expect(result.usage).toEqual({ input_tokens: 3000, output_tokens: 150, cached_tokens: 600, cost_usd: expect.closeTo(0.003, 12), llm_calls: 3 });
      const perAgent = Object.values(result.agents).map((a) => a.tokens.cost_usd!);
      expect(perAgent.reduce((a, b) => a + b, 0)).toBeCloseTo(result.usage.cost_usd!, 12);
      expect(readRun(result.log_dir).status.usage).toEqual(result.usage);
      total += result.usage.cost_usd!;
    }
    expect(total).toBeCloseTo(0.006, 12);
  });

  it("counts Anthropic cache reads and writes as input, each at its own price", async () => {
    const usage = { input: 100, cached: 800, cacheWrite: 100, output: 50 };
    server.enqueue(answer(usage), answer(usage), { text: "Final.", usage });
    const result = await run({ task: "Cache?", config: twoAgents(anthropic), env: { ...env, CONCLAVE_PRICES: prices }, runsDir: tempDir("conclave-cost-") });
    // Per call: 100 × $1 + 800 × $0.5 + 100 × $1.25 + 50 × $2 per million = $0.000725.
    expect(result.usage).toEqual({ input_tokens: 3000, output_tokens: 150, cached_tokens: 2400, cost_usd: expect.closeTo(0.002175, 12), llm_calls: 3 });
  });

  it("gives a model without a price cost null and warns once", async () => {
    server.enqueue(answer({ input: 10, output: 5 }), answer({ input: 10, output: 5 }), { text: "Final." });
    const notices: string[] = [];
    const config = twoAgents((id, url) => openai(id, url, "unpriced-model"));
    const result = await run({ task: "Cache?", config, env: { ...env, CONCLAVE_PRICES: prices }, runsDir: tempDir("conclave-cost-"), onNotice: (l) => notices.push(l) });
    expect(result.usage.cost_usd).toBeNull();
    expect(result.agents.alpha!.tokens.cost_usd).toBeNull();
    expect(notices.filter((n) => n.includes("unpriced-model"))).toEqual([
      "Warning: model `unpriced-model` has no price in configs/prices.yaml, so its cost is unknown (null). Add it to the table to see costs.",
    ]);
  });

  it("puts Anthropic cache breakpoints on the system prompt and on the task, and nowhere else", async () => {
    server.enqueue(answer({ input: 10, output: 5 }), answer({ input: 10, output: 5 }), { text: "Final." });
    await run({ task: "Cache?", context: "The API serves 2k requests a second.", config: twoAgents(anthropic), env, runsDir: tempDir("conclave-cache-") });
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      const body = request.body as { system: { cache_control?: unknown }[]; messages: { content: { type: string; text?: string; cache_control?: unknown }[] }[] };
      expect(body.system).toHaveLength(1);
      expect(body.system[0]!.cache_control).toEqual({ type: "ephemeral" });
      const first = body.messages[0]!.content[0]!;
      expect(first.cache_control).toEqual({ type: "ephemeral" });
      expect(first.text).toContain("# Task\n\nCache?");
      expect(first.text).toContain("# Context\n\nThe API serves 2k requests a second.");
      const marked = JSON.stringify(body).split('"cache_control"').length - 1;
      expect(marked).toBe(2);
    }
  });

  it("replaces an agent's system prompt with agent_system_prompts for this run only", async () => {
    server.enqueue(answer({ input: 10, output: 5 }), answer({ input: 10, output: 5 }), { text: "Final." });
    await run({ task: "Cache?", config: twoAgents(openai), agent_system_prompts: { beta: "You are a database specialist." }, env, runsDir: tempDir("conclave-prompts-") });
    const systems = server.requests.map((r) => (r.body as { messages: { role: string; content: string }[] }).messages[0]!.content.split("\n")[0]);
    expect(systems.sort()).toEqual(expect.arrayContaining(["You are a database specialist.", "You are alpha, a pragmatic engineer."]));
    expect(systems).not.toContain("You are beta, a pragmatic engineer.");
    await expect(run({ task: "Cache?", config: twoAgents(openai), agent_system_prompts: { zeta: "x" }, env })).rejects.toThrow("`agent_system_prompts` names unknown agent `zeta`");
  });

  it("uses each phase's model when an agent names tiers", async () => {
    server.enqueue(answer({ input: 10, output: 5 }), { toolCalls: [{ name: "vote", arguments: '{"answer":"A","reason":"only one"}' }] }, { text: "Final." });
    const tiered = { ...openai("alpha", server.url, "base-model"), backend: { ...openai("alpha", server.url).backend, model: "base-model", models: { voting: "vote-model", presentation: "present-model" } } };
    const result = await run({ task: "Cache?", config: { agents: [tiered], coordination: { ...coordination, max_rounds: 2 } }, env, runsDir: tempDir("conclave-tiers-") });
    expect(result).toMatchObject({ status: "completed", winner_reason: "1 of 1 vote" });
    expect(server.requests.map((r) => (r.body as { model: string }).model)).toEqual(["base-model", "vote-model", "present-model"]);
  });

  it("ends with budget_exceeded, the best answer kept, when real usage crosses budget.usd", async () => {
    const usage = { input: 1000, cached: 200, output: 50 }; // $0.001 a call
    server.enqueue(answer(usage), answer(usage), { text: "Final.", usage });
    const config: ConfigInput = { ...twoAgents(openai), budget: { usd: 0.0015 } };
    const result = await run({ task: "Cache?", config, env: { ...env, CONCLAVE_PRICES: prices }, runsDir: tempDir("conclave-budget-") });
    expect(result.status).toBe("budget_exceeded");
    expect(result.status_reason).toBe("the run's cost crossed its budget of $0.0015 (budget.usd)");
    expect(result.usage.llm_calls).toBe(2);
    // The first answer was in before the second call crossed the budget: it is kept.
    expect(result.answer).toBe("Use a read-through cache.");
    expect(Object.values(result.agents).map((a) => a.status).sort()).toEqual(["answered", "stopped"]);
  });

  it("closes the socket of a hung request when its deadline aborts it", async () => {
    server.enqueue({ text: "never finished", stallAfterChunk: 1 }, answer({ input: 10, output: 5 }), { text: "Final." });
    const config: ConfigInput = {
      agents: [openai("alpha", server.url, "fake-model"), openai("beta", server.url, "fake-model")],
      coordination: { ...coordination, max_rounds: 1, timeouts: { ...coordination.timeouts, generation: 0.5, idle: 30 } },
    };
    const result = await run({ task: "Cache?", config, env, runsDir: tempDir("conclave-abort-") });
    expect(Object.values(result.agents).map((a) => a.status).sort()).toEqual(["presented", "timed_out"]);
    // The fake sees the hang-up; allow the close a moment to arrive.
    for (let i = 0; i < 50 && server.disconnects === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.disconnects).toBe(1);
  });
});

describe("conclave ask with type: auto and a .env file", () => {
  it("loads ./.env, picks the backend it names, says why in one line, and lets the shell's variables win", async () => {
    const cwd = tempDir("conclave-dotenv-");
    writeFileSync(join(cwd, ".env"), `OPENAI_BASE_URL=${aimock}/v1\nCONCLAVE_MODEL=from-dotenv\n`);
    const child = spawn(process.execPath, [join(process.cwd(), "bin/conclave.js"), "ask", "Design a cache", "--automation"], {
      cwd,
      env: { PATH: process.env.PATH, CONCLAVE_MODEL: "from-shell" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe(
      "Backend: openai, because OPENAI_BASE_URL is set.\n" +
        "Warning: model `from-shell` has no price in configs/prices.yaml, so its cost is unknown (null). Add it to the table to see costs.\n",
    );
    expect(code).toBe(0);
    const logDir = stdout.split("\n")[0]!.replace("LOG_DIR: ", "");
    const files = readRun(logDir);
    expect(files.result.status).toBe("completed");
    expect(files.description.agents.map((a: { backend: string; model: string }) => `${a.backend}/${a.model}`)).toEqual(["openai/from-shell", "openai/from-shell", "openai/from-shell"]);
  });
});

describe("secret hygiene", () => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const canary = "sk-canary-7f3a9c1e5b2d4f6a8c0e";
  const answers = [
    { toolCalls: [{ name: "new_answer", arguments: '{"content":"answer"}' }] },
    { toolCalls: [{ name: "new_answer", arguments: '{"content":"another answer"}' }] },
    { text: "Final." },
  ];

  // `conclave ask` with both SDKs' debug logging on and the canary as every key; returns all it printed.
  async function askWithCanary(agents: string[]) {
    const cwd = tempDir("conclave-secret-");
    writeFileSync(join(cwd, "team.yaml"), ["agents:", ...agents.map((a) => `  - ${a}`), "coordination: { max_rounds: 1, retry: { attempts: 0 } }"].join("\n"));
    const child = spawn(process.execPath, [join(process.cwd(), "bin/conclave.js"), "ask", "Cache?", "--config", "team.yaml"], {
      cwd,
      env: { PATH: process.env.PATH, OPENAI_API_KEY: canary, ANTHROPIC_API_KEY: canary, GAMMA_KEY: canary, OPENAI_LOG: "debug", ANTHROPIC_LOG: "debug", DEBUG: "*" },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const files = listFiles(join(cwd, ".conclave"));
    return { code, output, files };
  }

  function expectNoCanary({ output, files }: { output: string; files: string[] }) {
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain(canary);
    expect(files.map((f) => f.split("/").at(-1))).toEqual(expect.arrayContaining(["status.json", "result.json", "events.jsonl", "run_description.json"]));
    for (const file of files) expect(readFileSync(file, "utf8"), file).not.toContain(canary);
  }

  it("never writes the API key to the run directory or the output, even with SDK debug logging on", async () => {
    // One provider echoes the key back in its error, as real 401s do with part of it.
    server.enqueue({ error: { status: 401, message: `Incorrect API key provided: ${canary}` } }, ...answers);
    const outcome = await askWithCanary([
      `{ id: alpha, backend: { type: openai, model: fake-model, base_url: "${server.url}/v1" } }`,
      `{ id: beta, backend: { type: anthropic, model: fake-model, base_url: "${server.url}" } }`,
      `{ id: gamma, backend: { type: openai, model: fake-model, base_url: "${server.url}/v1", api_key_env: GAMMA_KEY } }`,
    ]);
    expect(outcome.code).toBe(0);
    expect(outcome.files.length).toBeGreaterThan(5);
    expectNoCanary(outcome);
    expect(outcome.output).toContain("Incorrect API key provided: ***");
  });

  it.each(["openai", "anthropic"] as const)("keeps the key out of %s's debug log and the run when a text/plain 401 echoes it", async (type) => {
    server.enqueue({ error: { status: 401, body: `Incorrect API key provided: ${canary}`, contentType: "text/plain" } }, ...answers);
    const base = type === "openai" ? `${server.url}/v1` : server.url;
    const outcome = await askWithCanary([
      `{ id: alpha, backend: { type: ${type}, model: fake-model, base_url: "${base}" } }`,
      `{ id: beta, backend: { type: scripted } }`,
    ]);
    expect(outcome.code).toBe(0);
    expectNoCanary(outcome);
    // The SDK did log the response, through the scrubbing logger.
    expect(outcome.output).toMatch(new RegExp(`^${type} debug: .*response`, "m"));
    expect(outcome.output).toContain("Incorrect API key provided: ***");
    expect(readRun(onlyRun(outcome.files)).result.agents.alpha.error).toContain("HTTP 401 auth: Incorrect API key provided: ***.");
  });

  // The query case points at a port where nothing listens, so the URL is in the "Could not reach" message;
  // the userinfo case reaches no server either (fetch refuses a URL with credentials).
  it.each([
    ["the query", async () => {
      const dead = await startFakeLlmServer();
      await dead.close();
      return (path: string) => `${dead.url}${path}?api-key=${canary}`;
    }],
    ["the userinfo", async () => (path: string) => `${server.url.replace("http://", `http://user:${canary}@`)}${path}`],
  ])("keeps a key in %s of base_url out of the output and the run directory, for both SDKs", async (_where, makeUrl) => {
    const withKey = await makeUrl();
    const outcome = await askWithCanary([
      `{ id: alpha, backend: { type: openai, model: fake-model, base_url: "${withKey("/v1")}" } }`,
      `{ id: beta, backend: { type: anthropic, model: fake-model, base_url: "${withKey("")}" } }`,
      `{ id: gamma, backend: { type: scripted } }`,
    ]);
    expectNoCanary(outcome);
    const result = readRun(onlyRun(outcome.files)).result;
    // Both real agents failed on their URL, and their errors show it with the key hidden.
    expect(result.agents.alpha.status).toBe("failed");
    expect(result.agents.beta.status).toBe("failed");
    expect(result.agents.alpha.error).toMatch(/^agent `alpha` \(openai fake-model\): connection: .*Could not reach http:\/\/\S*\*\*\*\S*: check `base_url` and the network\.$/);
    expect(result.agents.beta.error).toMatch(/^agent `beta` \(anthropic fake-model\): connection: .*Could not reach http:\/\/\S*\*\*\*\S*: check `base_url` and the network\.$/);
    expect(outcome.code).toBe(0);
  });
});

// The run directory holding these files (the one with result.json).
function onlyRun(files: string[]): string {
  const results = files.filter((f) => f.endsWith("/result.json"));
  expect(results).toHaveLength(1);
  return results[0]!.slice(0, -"/result.json".length);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
