import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { handMadeRun } from "../test/support/hand-made-run.ts";
import { openSse, type SseEvent } from "../test/support/sse-client.ts";

// Run in its own process: the real `conclave serve` as a child, and SSE clients here, over loopback.
// sse_event_latency_ms: a line appended to events.jsonl → received by a client, median of 30.
// serve_concurrent_streams: 100 clients on one run in progress; all must receive every event once; the server's peak RSS.
const LATENCY_SAMPLES = 30;
const CLIENTS = 100;
const LIVE_EVENTS = 20;

const runsDir = mkdtempSync(join(tmpdir(), "conclave-bench-serve-"));
const cli = fileURLToPath(new URL("../bin/conclave.js", import.meta.url));
const server = spawn(process.execPath, [cli, "serve", "--port", "0", "--runs-dir", runsDir], { stdio: ["ignore", "ignore", "pipe"] });
const lines = (events: SseEvent[]) => events.filter((e) => e.id !== undefined && e.id !== "end");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    server.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      const match = /^Serving (\S+)/.exec(text);
      if (match && text.includes("\n")) resolve(match[1]!);
    });
    server.on("exit", () => reject(new Error(`conclave serve exited: ${text}`)));
  });

  // Latency: one client; each line appended once the previous one has arrived.
  const timed = handMadeRun(runsDir);
  timed.append({ type: "run.phase", phase: "planning", round: 0 });
  const client = await openSse(`${url}/api/runs/${timed.runId}/events`);
  await client.until((events) => lines(events).length === 1);
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const start = performance.now();
    timed.append({ type: "run.agent.tool_call", agentId: "alpha", round: 1, name: "read_file", ok: true });
    await client.until((events) => lines(events).length === i + 2);
    samples.push(performance.now() - start);
  }
  client.close();

  // Concurrent streams: every client connects, then the run goes on and finishes.
  const shared = handMadeRun(runsDir);
  shared.append({ type: "run.phase", phase: "planning", round: 0 }, { type: "run.phase", phase: "generation", round: 1 });
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => openSse(`${url}/api/runs/${shared.runId}/events`)));
  await Promise.all(clients.map((c) => c.until((events) => lines(events).length === 2, 30_000)));
  const start = performance.now();
  for (let i = 0; i < LIVE_EVENTS; i++) shared.append({ type: "run.agent.tool_call", agentId: i % 2 ? "alpha" : "beta", round: 1, name: "read_file", ok: true });
  shared.finish();
  shared.append({ type: "run.finished", status: "completed", winner: "beta", winner_reason: "most votes (2)" });
  await Promise.all(clients.map((c) => c.until((events) => events.some((e) => e.event === "complete"), 30_000)));
  const deliveryMs = performance.now() - start;
  const expected = Array.from({ length: LIVE_EVENTS + 3 }, (_, i) => String(i + 1)).join(",");
  const complete = clients.filter((c) => lines(c.events).map((e) => e.id).join(",") === expected).length;
  if (complete !== CLIENTS) throw new Error(`only ${complete} of ${CLIENTS} clients received every event once`);
  for (const c of clients) c.close();
  // VmHWM: the server process's peak resident set.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1];
  process.stdout.write(
    JSON.stringify({
      sse_event_latency_ms: median(samples),
      serve_concurrent_streams: { clients: CLIENTS, events: LIVE_EVENTS + 3, all_received: true, delivery_ms: deliveryMs, server_peak_rss_mb: hwm ? Number(hwm) / 1024 : null },
    }),
  );
} finally {
  server.kill("SIGTERM");
  rmSync(runsDir, { recursive: true, force: true });
}
