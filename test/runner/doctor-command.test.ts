import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { main, type CliIo } from "../../framework/runner/cli.ts";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server.ts";

const aimock = inject("aimockUrl");
const OPENAI_KEY = "sk-doctor-openai-0123456789";
const ANTHROPIC_KEY = "sk-ant-doctor-0123456789";
const env = { OPENAI_API_KEY: OPENAI_KEY, ANTHROPIC_API_KEY: ANTHROPIC_KEY };

let dir: string;
let fake: FakeLlmServer;
let closedPort: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "conclave-doctor-"));
  fake = await startFakeLlmServer({ models: ["llama3.1", "claude-haiku-4-5"] });
  // A loopback port nobody listens on: bound, then closed.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

// Runs `conclave doctor` in this process against a config written from `agents`.
async function doctor(agents: string, flags: string[] = [], environment: NodeJS.ProcessEnv = env) {
  const config = join(dir, "doctor.yaml");
  writeFileSync(config, `agents:\n${agents}`);
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: environment, process };
  const code = await main(["doctor", "--config", config, ...flags], io);
  return { code, stdout, stderr, config };
}

// The table's body rows as cells (columns are two or more spaces apart; cells hold single spaces).
function rows(stdout: string): string[][] {
  return stdout.split("\n\n")[0]!.split("\n").slice(2).map((line) => line.split(/ {2,}/));
}

describe("conclave doctor", () => {
  it("finds agents on a good server ready, through the models list or a one-token request, and exits 0", async () => {
    const { code, stdout, stderr, config } = await doctor(
      `  - { id: listed, backend: { type: openai, model: gpt-4o, base_url: "${aimock}/v1" } }\n` +
        `  - { id: answers, backend: { type: anthropic, model: claude-haiku-4-5, base_url: "${fake.url}" } }\n` +
        `  - { id: offline, backend: { type: scripted } }\n`,
    );
    expect(stderr).toBe("");
    expect(stdout.split("\n")[0]!.split(/ {2,}/)).toEqual(["agent", "backend", "key", "server", "reachable", "model", "price", "verdict"]);
    expect(rows(stdout)).toEqual([
      ["listed", "openai", "OPENAI_API_KEY set", `${aimock}/v1`, "yes", "gpt-4o (listed)", "known", "ready"],
      ["answers", "anthropic", "ANTHROPIC_API_KEY set", fake.url, "yes", "claude-haiku-4-5 (answers)", "known", "ready"],
      ["offline", "scripted", "not needed", "-", "-", "scripted", "-", "ready"],
    ]);
    expect(stdout.endsWith(`\n\n${config}: all 3 agents are ready.\n`)).toBe(true);
    expect(code).toBe(0);
    // The fake lists no models: the doctor asked for one token, with the agent's model.
    const asked = fake.requests.find((r) => r.path === "/v1/messages")!.body as { model: string; max_tokens: number };
    expect([asked.model, asked.max_tokens]).toEqual(["claude-haiku-4-5", 1]);
  });

  it("says the key was rejected on a 401, without ever showing the key", async () => {
    fake.enqueue({ error: { status: 401, message: `Incorrect API key provided: ${OPENAI_KEY}` } });
    const { code, stdout } = await doctor(`  - { id: alpha, backend: { type: openai, model: llama3.1, base_url: "${fake.url}/v1" } }\n`);
    expect(rows(stdout)[0]!.at(-1)).toBe("not ready: the server rejected the key in `OPENAI_API_KEY` (401 Incorrect API key provided: ***): set a valid key");
    expect(stdout).toContain(": 1 of 1 agent is not ready.\n");
    expect(stdout).not.toContain(OPENAI_KEY);
    expect(code).toBe(1);
  });

  it("says it cannot reach a server nobody listens on", async () => {
    const { code, stdout } = await doctor(`  - { id: alpha, backend: { type: openai, model: gpt-4o, base_url: "http://me:hunter2222@127.0.0.1:${closedPort}/v1" } }\n`);
    expect(rows(stdout)[0]).toEqual([
      "alpha", "openai", "OPENAI_API_KEY set", `http://***@127.0.0.1:${closedPort}/v1`, "no", "gpt-4o (skipped)", "known",
      `not ready: cannot reach http://***@127.0.0.1:${closedPort}/v1 (Connection error.): start the server or fix \`base_url\``,
    ]);
    expect(stdout).not.toContain("hunter2222");
    expect(code).toBe(1);
  });

  it("says a model the server does not have was not found", async () => {
    const { code, stdout } = await doctor(
      `  - { id: alpha, backend: { type: openai, model: llama3.1, base_url: "${fake.url}/v1" } }\n` +
        `  - { id: beta, backend: { type: openai, model: llama9, base_url: "${fake.url}/v1" } }\n`,
    );
    expect(rows(stdout).map((row) => [row[0], row[5], row.at(-1)])).toEqual([
      ["alpha", "llama3.1 (answers)", "ready"],
      ["beta", "llama9 (not found)", `not ready: model \`llama9\` not found at ${fake.url}/v1: fix \`model\` in the config`],
    ]);
    expect(stdout).toContain(": 1 of 2 agents is not ready.\n");
    expect(code).toBe(1);
  });

  it("with --offline asks no server, still checks keys and prices, and says why `auto` chose a backend", async () => {
    const { code, stdout } = await doctor(
      `  - { id: alpha, backend: { type: openai, model: llama3.1, base_url: "http://127.0.0.1:${closedPort}/v1" } }\n` +
        `  - { id: beta, backend: { type: anthropic, model: claude-haiku-4-5, api_key_env: TEAM_KEY } }\n` +
        `  - { id: gamma, backend: { type: openai, model: mystery-model, base_url: "${fake.url}/v1" } }\n` +
        `  - { id: delta }\n`,
      ["--offline"],
      { OPENAI_API_KEY: OPENAI_KEY },
    );
    expect(rows(stdout).map((row) => [row[0], row[1], row[2], row[4], row.at(-1)])).toEqual([
      ["alpha", "openai", "OPENAI_API_KEY set", "skipped", "ready"],
      ["beta", "anthropic", "TEAM_KEY missing", "skipped", "not ready: set `TEAM_KEY` (in the environment or ./.env)"],
      ["gamma", "openai", "OPENAI_API_KEY set", "skipped", "not ready: add `mystery-model` to configs/prices.yaml (or the file CONCLAVE_PRICES names)"],
      ["delta", "openai (auto: OPENAI_API_KEY is set)", "OPENAI_API_KEY set", "skipped", "ready"],
    ]);
    expect(stdout.endsWith("agents are not ready.\nOffline: no server was asked; run without --offline to check the servers and models.\n")).toBe(true);
    expect(fake.requests).toEqual([]);
    expect(code).toBe(1);
  });

  it("with --offline finds scripted agents ready and exits 0", async () => {
    const { code, stdout } = await doctor(`  - { id: alpha, backend: { type: scripted } }\n  - { id: beta }\n`, ["--offline"], {});
    expect(rows(stdout).map((row) => [row[0], row[1], row.at(-1)])).toEqual([
      ["alpha", "scripted", "ready"],
      ["beta", "scripted (auto: no ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL is set)", "ready"],
    ]);
    expect(code).toBe(0);
  });

  it("with --json prints the checks, naming the key's variable and never its value", async () => {
    const { code, stdout } = await doctor(`  - { id: alpha, backend: { type: openai, model: gpt-4o, base_url: "${aimock}/v1" } }\n`, ["--json"]);
    const report = JSON.parse(stdout) as { ready: boolean; offline: boolean; agents: Record<string, unknown>[] };
    expect(report.ready).toBe(true);
    expect(report.offline).toBe(false);
    expect(report.agents).toEqual([
      { agent: "alpha", backend: "openai", why: "configured as openai", key: "OPENAI_API_KEY set", server: `${aimock}/v1`, reachable: "yes", models: ["gpt-4o"], model: "listed", price: "known", ready: true },
    ]);
    expect(stdout).not.toContain(OPENAI_KEY);
    expect(code).toBe(0);
  });

  it("answers --help with its own usage and every flag", async () => {
    let stdout = "";
    const code = await main(["doctor", "--help"], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, env, process });
    expect(stdout.split("\n")[0]).toBe("Usage: conclave doctor [--config <file>] [--offline] [--json]");
    for (const flag of ["--config <file>", "--offline", "--json"]) expect(stdout).toContain(`  ${flag}`);
    expect(code).toBe(0);
  });

  it("is in the CLI's list of commands", async () => {
    let stdout = "";
    await main(["help"], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, env, process });
    expect(stdout).toContain("\n  doctor              Check every agent of a config before spending: backend, key, server, model, price.\n");
  });

  it("rejects an argument that is not a flag, naming --config", async () => {
    let stderr = "";
    const code = await main(["doctor", "configs/openai.yaml"], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env, process });
    expect(stderr).toBe("conclave: `conclave doctor` takes no arguments, got: configs/openai.yaml. Name the config with --config <file>.\n");
    expect(code).toBe(1);
  });
});
