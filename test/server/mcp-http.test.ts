import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { Hono } from "hono";
import { guardRequests } from "../../framework/server/http/guard-requests.ts";
import { mountMcp } from "../../framework/server/http/mount-mcp.ts";
import { serve, type Serving } from "../../framework/server/http/serve.ts";
import { createQueryBoard } from "../../framework/runs/query-board.ts";
import { createRunLauncher, type RunLauncher } from "../../framework/server/run-launcher.ts";
import { tempDir } from "../project/temp-dir.ts";
import { startHttp, stopHttp } from "../support/http-server.ts";
import { json, MCP_CONFIG, textOf } from "./mcp-support.ts";

// `conclave serve`'s /mcp: the real HTTP server on loopback, driven by the official client over Streamable HTTP.
const launchers: RunLauncher[] = [];
const clients: Client[] = [];

const served: Serving[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(served.map((s) => s.close()));
  await Promise.all(launchers.map((l) => l.close("the test ended")));
  await stopHttp();
});

async function serveMcp(options: { token?: string } = {}) {
  const project = initProject("demo", join(tempDir("conclave-mcp-http-"), "projects"));
  const queries = createQueryBoard({ timeoutMs: 60_000 });
  const launcher = createRunLauncher({ project, config: MCP_CONFIG as ConfigInput, env: {}, askHuman: (runId, agent, query, signal) => queries.ask(runId, agent, query, signal) });
  launchers.push(launcher);
  const server = await startHttp({ project: project.dir, ...(options.token && { token: options.token, host: "127.0.0.1" }), mcp: { launcher, queries, project, questionTimeoutMs: 60_000 } });
  return { url: new URL("/mcp", server.url), project };
}

async function connect(url: URL, options: { capabilities?: ConstructorParameters<typeof Client>[1]; headers?: Record<string, string> } = {}) {
  const client = new Client({ name: "conclave-test", version: "1.0.0" }, options.capabilities ?? {});
  clients.push(client);
  const transport = new StreamableHTTPClientTransport(url, options.headers ? { requestInit: { headers: options.headers } } : undefined);
  await client.connect(transport);
  return Object.assign(client, { http: transport });
}

describe.each([
  { era: "2025 (initialize, a session)", versionNegotiation: undefined },
  { era: "2026-07-28 (server/discover, per request)", versionNegotiation: { mode: "auto" as const } },
])("MCP over Streamable HTTP at /mcp, protocol era $era", ({ versionNegotiation }) => {
  const negotiation = versionNegotiation ? { versionNegotiation } : {};

  it("lists the eight tools, streams progress lines in order then the result, and names a bad argument's field", async () => {
    const { url } = await serveMcp();
    const client = await connect(url, { capabilities: negotiation });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["launch_run", "run_status", "run_result", "cancel_run", "list_runs", "list_queries", "answer_query", "analyze_run"]);
    const lines: string[] = [];
    const counters: number[] = [];
    const result = await client.callTool(
      { name: "launch_run", arguments: { task: "Name two risks of caching", agents: ["alpha", "beta"] } },
      { timeout: 60_000, onprogress: (p) => (lines.push(p.message ?? ""), counters.push(p.progress)) },
    );
    expect(result.isError).toBeFalsy();
    expect(json(result)).toMatchObject({ status: "completed", winner: expect.stringMatching(/^(alpha|beta)$/), files_changed: [] });
    expect(lines.length).toBeGreaterThan(1);
    expect(counters).toEqual(lines.map((_, i) => i + 1));
    for (const line of lines) expect(line).toMatch(/^(\w+ )?(starting|planning|generation|voting|presentation|finalization)( round \d+)? \d+%$/);
    expect(lines.at(-1)).toMatch(/^finalization( round \d+)? 100%$/);

    // A 2025 client holds a session; once it ends (DELETE), its id is unknown.
    if (versionNegotiation) expect(client.http.sessionId).toBeUndefined();
    else {
      expect(client.http.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const other = await connect(url);
      const ended = other.http.sessionId!;
      await other.http.terminateSession();
      const stale = await fetch(url, {
        method: "POST",
        headers: { "mcp-session-id": ended, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
      });
      expect([stale.status, await stale.json()]).toEqual([404, { jsonrpc: "2.0", error: { code: -32000, message: `no MCP session "${ended}" on this server (it ended, or the server restarted): initialize a new one.` }, id: null }]);
    }

    const bad = await client.callTool({ name: "launch_run", arguments: { task: "x", agent_mode: "duo" } });
    expect([bad.isError, textOf(bad)]).toEqual([true, 'Input validation error: Invalid arguments for tool launch_run: agent_mode: Invalid option: expected one of "single"|"multi"']);
  }, 60_000);

  it("asks an agent's question through elicitation, and the run goes on with the answer", async () => {
    const { url } = await serveMcp();
    const client = await connect(url, { capabilities: { capabilities: { elicitation: { form: {} } }, ...negotiation } });
    const asked: unknown[] = [];
    client.setRequestHandler("elicitation/create", async (request) => {
      const { _meta, ...params } = request.params as Record<string, unknown>;
      asked.push(params);
      return { action: "accept", content: { answer: "Session" } };
    });
    const result = await client.callTool(
      { name: "launch_run", arguments: { task: "Add auth", agent_mode: "single", agents: ["asker"], context_paths: [{ path: "deliverables", permission: "read" }] } },
      { timeout: 60_000 },
    );
    expect(asked).toEqual([
      {
        mode: "form",
        message: "JWT or Session?\n\nThe API has no auth yet.",
        requestedSchema: { type: "object", properties: { answer: { type: "string", title: "Answer", enum: ["JWT", "Session"] } }, required: ["answer"] },
      },
    ]);
    const compact = json(result);
    expect(compact).toMatchObject({ status: "completed", winner: "asker", answer: "Auth as decided." });
    // The answer released the agent: nobody answering would have held it for 60 s.
    expect(compact.elapsed_seconds).toBeLessThan(30);
    expect(json(await client.callTool({ name: "list_queries", arguments: {} }))).toEqual({ queries: [] });
  }, 60_000);

  it("without elicitation, announces the question in a progress line and takes answer_query on another request meanwhile", async () => {
    const { url } = await serveMcp();
    const client = await connect(url, { capabilities: negotiation });
    const lines: string[] = [];
    let answered: Promise<unknown> | undefined;
    const result = await client.callTool(
      { name: "launch_run", arguments: { task: "Add auth", agent_mode: "single", agents: ["asker"], context_paths: [{ path: "deliverables", permission: "read" }] } },
      {
        timeout: 60_000,
        onprogress: (p) => {
          lines.push(p.message ?? "");
          const id = /^query (q\d+):/.exec(p.message ?? "")?.[1];
          if (id && !answered) answered = client.callTool({ name: "answer_query", arguments: { id, answer: "JWT" } });
        },
      },
    );
    expect(lines.filter((l) => l.startsWith("query "))).toEqual([expect.stringMatching(/^query q\d+: JWT or Session\? \[JWT \| Session\] \(answer_query\)$/)]);
    expect(json((await answered) as { content: unknown })).toMatchObject({ answered: true });
    const compact = json(result);
    expect(compact).toMatchObject({ status: "completed", winner: "asker", answer: "Auth as decided." });
    expect(compact.elapsed_seconds).toBeLessThan(30);
  }, 60_000);
});

describe("MCP over Streamable HTTP behind the server's guard", () => {
  it("refuses a foreign Origin with 403, as it does the rest of the API", async () => {
    const { url } = await serveMcp();
    const response = await fetch(url, {
      method: "POST",
      headers: { origin: "http://evil.example", "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: `Origin "http://evil.example" is not this server: expected one of ${["127.0.0.1", "localhost", "[::1]"].map((h) => `http://${h}:${url.port}`).join(", ")} (DNS rebinding protection).` });
  });

  it("with a token, serves a client that sends it and refuses one that does not (401)", async () => {
    const { url } = await serveMcp({ token: "s3cret-token" });
    const client = await connect(url, { headers: { Authorization: "Bearer s3cret-token" } });
    expect((await client.listTools()).tools).toHaveLength(8);
    const refused = await connect(url).then(
      () => "connected",
      (error: Error) => error.message,
    );
    const why = "missing or wrong bearer token: send `Authorization: Bearer <token>` with the CONCLAVE_TOKEN the server was started with.";
    expect(refused).toBe(`Error POSTing to endpoint: ${JSON.stringify({ error: why })}`);
    const bare = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect([bare.status, await bare.json()]).toEqual([401, { error: why }]);
  });
});

describe("mountMcp()", () => {
  it("closes the session least recently used past maxSessions (2025 clients that never DELETE)", async () => {
    const queries = createQueryBoard({ timeoutMs: 60_000 });
    const launcher = createRunLauncher({ config: MCP_CONFIG as ConfigInput, env: {}, runsDir: tempDir("conclave-mcp-http-runs-") });
    launchers.push(launcher);
    const app = new Hono();
    app.use("*", guardRequests({ host: "127.0.0.1", port: 0 }));
    mountMcp(app, { launcher, queries }, { maxSessions: 2 });
    const server = await serve({ app, host: "127.0.0.1", port: 0 });
    served.push(server);
    const url = new URL("/mcp", server.url);
    const first = await connect(url);
    const second = await connect(url);
    // Using the first makes the second the least recently used.
    expect((await first.listTools()).tools).toHaveLength(8);
    const third = await connect(url);
    expect((await first.listTools()).tools).toHaveLength(8);
    expect((await third.listTools()).tools).toHaveLength(8);
    const evicted = second.http.sessionId!;
    const error = await second.listTools().then(() => "answered", (e: Error) => e.message);
    const message = `no MCP session ${JSON.stringify(evicted)} on this server (it ended, or the server restarted): initialize a new one.`;
    expect(error).toBe(`Error POSTing to endpoint: ${JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null })}`);
  });
});
