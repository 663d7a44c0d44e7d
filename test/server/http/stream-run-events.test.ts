import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { run } from "../../../framework/runs/run.ts";
import { watchedRunDirCount } from "../../../framework/server/http/watch-run-dir.ts";
import { makeTempDir, removeDir } from "../../support/cli-process.ts";
import { handMadeRun } from "../../support/hand-made-run.ts";
import { startHttp, stopHttp } from "../../support/http-server.ts";
import { openSse, type SseClient, type SseEvent } from "../../support/sse-client.ts";
import { scripted } from "../../support/scripted-run.ts";

const temps: string[] = [];
const clients: SseClient[] = [];
function tempRunsDir(): string {
  const dir = makeTempDir("conclave-sse-");
  temps.push(dir);
  return dir;
}
async function connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await openSse(url, headers);
  clients.push(client);
  return client;
}
const lines = (events: SseEvent[]) => events.filter((e) => e.id !== undefined && e.id !== "end");
const complete = (events: SseEvent[]) => events.some((e) => e.event === "complete");

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopHttp();
});
afterAll(() => {
  for (const dir of temps) removeDir(dir);
});

describe("GET /api/runs/<id>/events", () => {
  it("sends every earlier line once, then the live ones, progress after each, and complete at the end", async () => {
    const runsDir = tempRunsDir();
    const handMade = handMadeRun(runsDir);
    handMade.append({ type: "run.phase", phase: "planning", round: 0 }, { type: "run.phase", phase: "generation", round: 1 }, { type: "run.agent.answered", agentId: "alpha", round: 1, content: "A plan" });
    const server = await startHttp({ runsDir });
    const client = await connect(`${server.url}/api/runs/${handMade.runId}/events`);
    expect(client.status).toBe(200);
    expect(client.headers.get("content-type")).toBe("text/event-stream");
    await client.until((events) => lines(events).length === 3);
    // Live: one line, then one written in two parts (the first part is held until its newline).
    handMade.append({ type: "run.agent.answered", agentId: "beta", round: 1, content: "Another plan" });
    await client.until((events) => lines(events).length === 4);
    handMade.appendText('{"t":50,"type":"run.phase","pha');
    handMade.appendText('se":"voting","round":2}\n');
    handMade.append({ type: "run.agent.voted", agentId: "alpha", round: 2, label: "B", target: "beta.1", reason: "clearer" });
    handMade.finish();
    handMade.append({ type: "run.finished", status: "completed", winner: "beta", winner_reason: "most votes (2)" });
    await client.ended;
    const journal = readFileSync(join(handMade.dir, "events.jsonl"), "utf8").trim().split("\n");
    expect(lines(client.events).map((e) => [e.id, e.event, e.data])).toEqual(journal.map((text, i) => [String(i + 1), JSON.parse(text).type, JSON.stringify(JSON.parse(text))]));
    expect(client.events.filter((e) => e.event === "progress").map((e) => JSON.parse(e.data))).toEqual([
      { type: "progress", run_id: handMade.runId, agent: null, status: "planning", progress: 5 },
      { type: "progress", run_id: handMade.runId, agent: null, status: "generation", progress: 10 },
      { type: "progress", run_id: handMade.runId, agent: "alpha", status: "generation", progress: 25 },
      { type: "progress", run_id: handMade.runId, agent: "beta", status: "generation", progress: 40 },
      { type: "progress", run_id: handMade.runId, agent: null, status: "voting", progress: 40 },
      { type: "progress", run_id: handMade.runId, agent: "alpha", status: "voting", progress: 40 },
      { type: "progress", run_id: handMade.runId, agent: null, status: "finalization", progress: 100 },
    ]);
    const last = client.events.at(-1)!;
    expect([last.id, last.event]).toEqual(["end", "complete"]);
    expect(JSON.parse(last.data)).toEqual({
      type: "complete",
      run_id: handMade.runId,
      result: { status: "completed", winner: "beta", files_modified: ["main.go"], cost_usd: 0.04, final_answer_path: join(handMade.dir, "final", "beta", "answer.txt") },
    });
    expect(watchedRunDirCount()).toBe(0);
  });

  it("resumes after Last-Event-ID and repeats nothing; `end` is answered 204, which ends an EventSource", async () => {
    const runsDir = tempRunsDir();
    const handMade = handMadeRun(runsDir);
    handMade.append({ type: "run.phase", phase: "planning", round: 0 }, { type: "run.phase", phase: "generation", round: 1 }, { type: "run.agent.answered", agentId: "alpha", round: 1, content: "A plan" });
    const server = await startHttp({ runsDir });
    const first = await connect(`${server.url}/api/runs/${handMade.runId}/events`);
    await first.until((events) => lines(events).length === 3);
    first.close();
    handMade.append({ type: "run.agent.answered", agentId: "beta", round: 1, content: "Another plan" });
    const again = await connect(`${server.url}/api/runs/${handMade.runId}/events`, { "last-event-id": lines(first.events).at(-1)!.id! });
    await again.until((events) => lines(events).length === 1);
    handMade.finish();
    handMade.append({ type: "run.finished", status: "completed", winner: "beta", winner_reason: "most votes (2)" });
    await again.ended;
    expect(lines(again.events).map((e) => e.id)).toEqual(["4", "5"]);
    // Only the progress of the lines it sent: beta's answer, and the end.
    expect(again.events.filter((e) => e.event === "progress").map((e) => JSON.parse(e.data).progress)).toEqual([40, 100]);
    const done = await fetch(`${server.url}/api/runs/${handMade.runId}/events`, { headers: { "last-event-id": "end" } });
    expect(done.status).toBe(204);
    const bad = await fetch(`${server.url}/api/runs/${handMade.runId}/events`, { headers: { "last-event-id": "x" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'Last-Event-ID "x" is not an event id: expected the line number of an event this stream sent (1, 2, …), or "end".' });
  });

  it("streams a real run: a client that connects mid-run gets every line of its events.jsonl exactly once, in order", async () => {
    const runsDir = tempRunsDir();
    const server = await startHttp({ runsDir });
    let runId = "";
    let connected: Promise<SseClient> | undefined;
    let connectedAt = Number.POSITIVE_INFINITY;
    let seen = 0;
    const result = await run({
      task: "Design a cache for the API",
      config: { agents: [scripted("alpha", { latency_ms: 150 }), scripted("beta", { latency_ms: 150 })] },
      runsDir,
      env: {},
      // The run's own clock is the system clock: the agents take 150 ms a turn, so the client joins while it goes.
      onEvent: () => {
        if (++seen === 2) connected = connect(`${server.url}/api/runs/${runId}/events`).then((c) => ((connectedAt = Date.now()), c));
      },
      onStart: (started) => (runId = started.runId),
    });
    const finishedAt = Date.now();
    const client = await connected!;
    expect(connectedAt).toBeLessThan(finishedAt);
    await client.until(complete, 15_000);
    const journal = readFileSync(join(result.log_dir, "events.jsonl"), "utf8").trim().split("\n");
    expect(journal.length).toBeGreaterThan(8);
    expect(lines(client.events).map((e) => [Number(e.id), JSON.parse(e.data)])).toEqual(journal.map((text, i) => [i + 1, JSON.parse(text)]));
    expect(JSON.parse(client.events.at(-1)!.data).result).toEqual({ status: "completed", winner: result.winner, files_modified: [], cost_usd: 0, final_answer_path: result.final_answer_path });
    // Once finished, a new client gets the same lines, then complete, and the stream ends.
    const later = await connect(`${server.url}/api/runs/${runId}/events`);
    await later.ended;
    expect(lines(later.events).map((e) => e.data)).toEqual(lines(client.events).map((e) => e.data));
    expect(later.events.at(-1)!.data).toBe(client.events.at(-1)!.data);
  }, 20_000);

  it("ends the stream of a run whose process is gone with complete, status abandoned", async () => {
    const runsDir = tempRunsDir();
    const handMade = handMadeRun(runsDir);
    const description = JSON.parse(readFileSync(join(handMade.dir, "run_description.json"), "utf8"));
    writeFileSync(join(handMade.dir, "run_description.json"), JSON.stringify({ ...description, pid: 2 ** 22 + 17 }));
    handMade.append({ type: "run.phase", phase: "planning", round: 0 });
    const server = await startHttp({ runsDir });
    const client = await connect(`${server.url}/api/runs/${handMade.runId}/events`);
    await client.ended;
    expect(client.events.map((e) => [e.id, e.event])).toEqual([
      ["1", "run.phase"],
      [undefined, "progress"],
      ["end", "complete"],
    ]);
    expect(JSON.parse(client.events[2]!.data)).toEqual({ type: "complete", run_id: handMade.runId, result: { status: "abandoned", winner: null, files_modified: [], cost_usd: null, final_answer_path: null } });
  });

  it("lets go of the run directory's watch when a client goes away mid-run", async () => {
    const runsDir = tempRunsDir();
    const handMade = handMadeRun(runsDir);
    handMade.append({ type: "run.phase", phase: "planning", round: 0 });
    const server = await startHttp({ runsDir });
    const client = await connect(`${server.url}/api/runs/${handMade.runId}/events`);
    await client.until((events) => lines(events).length === 1);
    expect(watchedRunDirCount()).toBe(1);
    client.close();
    await expect.poll(() => watchedRunDirCount(), { timeout: 5_000 }).toBe(0);
  });

  it("serves 100 clients of one run at once: each receives every event, once", async () => {
    const runsDir = tempRunsDir();
    const handMade = handMadeRun(runsDir);
    handMade.append({ type: "run.phase", phase: "planning", round: 0 }, { type: "run.phase", phase: "generation", round: 1 });
    const server = await startHttp({ runsDir });
    const many = await Promise.all(Array.from({ length: 100 }, () => connect(`${server.url}/api/runs/${handMade.runId}/events`)));
    await Promise.all(many.map((c) => c.until((events) => lines(events).length === 2)));
    for (const agentId of ["alpha", "beta"]) handMade.append({ type: "run.agent.answered", agentId, round: 1, content: `${agentId}'s plan` });
    handMade.append({ type: "run.phase", phase: "voting", round: 2 });
    handMade.finish();
    handMade.append({ type: "run.finished", status: "completed", winner: "beta", winner_reason: "most votes (2)" });
    await Promise.all(many.map((c) => c.ended));
    for (const c of many) {
      expect(lines(c.events).map((e) => e.id)).toEqual(["1", "2", "3", "4", "5", "6"]);
      expect(c.events.at(-1)!.event).toBe("complete");
    }
    expect(watchedRunDirCount()).toBe(0);
  }, 20_000);
});
