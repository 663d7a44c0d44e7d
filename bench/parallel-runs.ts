import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../framework/runs/run.ts";
import { zeroLatency } from "./bench-config.ts";

// Run in its own process so the peak RSS is this measurement's alone: 50 concurrent 3-agent runs at zero latency.
const N = 50;
const runsDir = mkdtempSync(join(tmpdir(), "conclave-bench-parallel-"));
try {
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: N }, (_, i) => run({ task: `Parallel task ${i}`, config: zeroLatency(3), runsDir, env: {} })),
  );
  const seconds = (performance.now() - start) / 1000;
  const completed = results.filter((r) => r.status === "completed").length;
  if (completed !== N) throw new Error(`only ${completed} of ${N} runs completed`);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ runs_per_s: N / seconds, peak_rss_mb: peakRssMb }));
} finally {
  rmSync(runsDir, { recursive: true, force: true });
}
