import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initProject } from "../framework/project/init-project.ts";
import { openSession } from "../framework/session/open-session.ts";

// Run in its own process (node --expose-gc): plays TURNS direct-answer chat turns at zero model latency
// (a scripted orchestrator replying in text), then prints per-turn overhead, the context build time and the heap.
const TURNS = Number(process.argv[2] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const dir = mkdtempSync(join(tmpdir(), "conclave-bench-session-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const project = initProject("bench", dir);
  const reply = "Noted. The cache stays in front of the orders API; the next step is the invalidation on writes, which the team will plan when you say go.";
  const session = await openSession({
    project,
    config: {
      agents: [{ id: "alpha", backend: { type: "scripted" } }],
      orchestrator: { backend: { type: "scripted", script: Array.from({ length: TURNS * 2 }, () => ({ text: reply })) } },
    },
    env: {},
  });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const turnMs: number[] = [];
  for (let i = 0; i < TURNS; i++) {
    const start = performance.now();
    for await (const _ of session.send(`Turn ${i}: please keep in mind that order ${i} must be invalidated within ${i % 60} seconds of a write.`));
    turnMs.push(performance.now() - start);
  }
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const buildMs: number[] = [];
  for (let i = 0; i < 21; i++) {
    const start = performance.now();
    session.context();
    buildMs.push(performance.now() - start);
  }
  process.stdout.write(JSON.stringify({ turns: TURNS, turn_ms: median(turnMs), context_build_ms: median(buildMs), heap_mb: (heapAfter - heapBefore) / 1024 / 1024 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
