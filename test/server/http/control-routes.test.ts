import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../../framework/config/config-schema.ts";
import { initProject } from "../../../framework/project/init-project.ts";
import { watchedRunDirCount } from "../../../framework/server/http/watch-run-dir.ts";
import { createQueryBoard } from "../../../framework/runs/query-board.ts";
import { createRunLauncher } from "../../../framework/server/run-launcher.ts";
import { removeDir } from "../../support/cli-process.ts";
import { startHttp, stopHttp } from "../../support/http-server.ts";
import { openSse } from "../../support/sse-client.ts";

const temps: string[] = [];
afterAll(async () => {
  await stopHttp();
  for (const d of temps) removeDir(d);
});

// A server with a launcher and a query board on a fresh runs directory.
async function server(config: ConfigInput) {
  const base = mkdtempSync(join(tmpdir(), "conclave-http-control-"));
  temps.push(base);
  const project = initProject("demo", base);
  const queries = createQueryBoard({ timeoutMs: 30_000 });
  const launcher = createRunLauncher({ project, config, env: {}, askHuman: (runId, agent, query, signal) => queries.ask(runId, agent, query, signal) });
  const s = await startHttp({ project: project.dir, launcher, queries });
  const post = (path: string, body: unknown) => fetch(`${s.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { url: s.url, post, launcher, queries };
}
// Until the launcher has no more run `id` running (bounded by the test's timeout).
const ended = (launcher: { running(): string[] }, id: string) =>
  new Promise<void>((resolve) => {
    const poll = setInterval(() => !launcher.running().includes(id) && (clearInterval(poll), resolve()), 20);
  });
const fast = (id: string, extra: object = {}) => ({ id, backend: { type: "scripted" as const, latency_ms: 10, ...extra } });

describe("POST /api/runs, cancel and decision queries over HTTP", () => {
  it("launches a run with launch_run's arguments and answers with the compact result; wait: false answers 202 with the id", async () => {
    const s = await server({ agents: [fast("alpha"), fast("beta")] });
    const response = await s.post("/api/runs", { task: "Name two risks", agent_mode: "single" });
    expect(response.status).toBe(200);
    const result = (await response.json()) as Record<string, unknown>;
    expect(result).toMatchObject({ status: "completed", winner: "alpha", files_changed: [], conflicts: [] });
    expect(Object.keys(result).sort()).toEqual(["answer", "conflicts", "cost_usd", "elapsed_seconds", "files_changed", "log_dir", "run_id", "status", "winner", "winner_reason"]);

    const later = await s.post("/api/runs", { task: "Name three risks", wait: false });
    expect(later.status).toBe(202);
    const { run_id, status } = (await later.json()) as { run_id: string; status: string };
    expect(status).toBe("running");
    await ended(s.launcher, run_id);
    const detail = (await (await fetch(`${s.url}/api/runs/${run_id}`)).json()) as { result: { status: string } };
    expect(detail.result.status).toBe("completed");
  });

  it("answers 400 naming the field of a bad argument, or the unknown agent", async () => {
    const s = await server({ agents: [fast("alpha")] });
    const bad = await s.post("/api/runs", { task: "x", agent_mode: "solo" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^launch_run `agent_mode`: /);
    const unknown = await s.post("/api/runs", { task: "x", agents: ["zeta"] });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/unknown agent `zeta`/);
    const notJson = await fetch(`${s.url}/api/runs`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
  });

  it("cancels a run it launched, and refuses one it did not", async () => {
    const s = await server({ agents: [fast("alpha", { hang: true })] });
    const { run_id } = (await (await s.post("/api/runs", { task: "Never ends", agent_mode: "single", wait: false })).json()) as { run_id: string };
    const cancel = await s.post(`/api/runs/${run_id}/cancel`, {});
    expect(await cancel.json()).toEqual({ run_id, cancelled: true });
    await ended(s.launcher, run_id);
    expect(s.launcher.status(run_id)?.result).toMatchObject({ status: "cancelled", status_reason: "cancelled: through the HTTP API" });
    expect((await s.post("/api/runs/20990101-000000-0123456789ab/cancel", {})).status).toBe(404);
    expect((await s.post("/api/runs/..%2F..%2Fetc/cancel", {})).status).toBe(400);
  });

  it("lists an agent's pending question and takes its answer, and the run goes on", async () => {
    const asking = fast("alpha", { script: [{ tool: "ask_human", args: { question: "JWT or Session?", options: ["JWT", "Session"] } }, { answer: "Auth with JWT." }] });
    const s = await server({ agents: [asking] });
    const response = await s.post("/api/runs", { task: "Add auth", agent_mode: "single", wait: false, context_paths: [{ path: "deliverables", permission: "read" }] });
    expect(response.status).toBe(202);
    const launched = (await response.json()) as { run_id: string };
    let pending: { id: string; run_id: string; question: string; options: string[] }[] = [];
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      pending = ((await (await fetch(`${s.url}/api/queries?run_id=${launched.run_id}`)).json()) as { queries: typeof pending }).queries;
      if (!pending.length) await new Promise((r) => setTimeout(r, 20));
    }
    const wire = { type: "query", id: "q1", run_id: launched.run_id, agent: "alpha", question: "JWT or Session?", options: ["JWT", "Session"], context: null };
    expect(pending).toEqual([wire]);
    // The run's event stream carries the query too, in the same wire shape, and its settling.
    const stream = await openSse(`${s.url}/api/runs/${launched.run_id}/events`);
    const withQuery = await stream.until((events) => events.some((e) => e.event === "query"), 10_000);
    expect(JSON.parse(withQuery.find((e) => e.event === "query")!.data)).toEqual(wire);
    expect((await s.post("/api/queries/q9", { answer: "JWT" })).status).toBe(404);
    expect((await s.post("/api/queries/q1", {})).status).toBe(400);
    const answered = await s.post("/api/queries/q1", { answer: "JWT" });
    expect(answered.status).toBe(200);
    await ended(s.launcher, launched.run_id);
    expect(s.launcher.status(launched.run_id)?.result).toMatchObject({ status: "completed", answer: "Auth with JWT." });
    const settled = await stream.until((events) => events.some((e) => e.event === "query.settled"), 10_000);
    expect(JSON.parse(settled.find((e) => e.event === "query.settled")!.data)).toEqual({ type: "query.settled", id: "q1", run_id: launched.run_id, answer: "JWT" });
    stream.close();
    expect(((await (await fetch(`${s.url}/api/queries`)).json()) as { queries: unknown[] }).queries).toEqual([]);
  });

  it("refuses a body over 1 MB with 413 before reading it whole, and a HEAD of a stream holds nothing open", async () => {
    const s = await server({ agents: [fast("alpha")] });
    // Refused on its announced length, before the body is sent: the server answers and closes.
    const big = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${s.url}/api/runs`, { method: "POST", headers: { "content-type": "application/json", "content-length": String(2 * 1024 * 1024) } }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => (req.destroy(), resolve({ status: res.statusCode!, body })));
      });
      req.on("error", reject);
      req.write('{"task": "');
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ error: "the request body is over 1 MB." });
    expect(s.launcher.runs()).toEqual([]);
    const done = (await (await s.post("/api/runs", { task: "One", agent_mode: "single" })).json()) as { run_id: string };
    for (let i = 0; i < 3; i++) {
      const head = await fetch(`${s.url}/api/runs/${done.run_id}/events`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-type")).toBe("text/event-stream");
    }
    expect(watchedRunDirCount()).toBe(0);
  });

  it("starts no run once the launcher is closing", async () => {
    const s = await server({ agents: [fast("alpha")] });
    await s.launcher.close("the test stops it");
    const response = await s.post("/api/runs", { task: "Late", agent_mode: "single" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "no new run: the server is stopping (the test stops it)." });
  });
});
