import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";

// One system's figures for vs_langgraph, in a process of its own (run by bench/vs-langgraph.ts):
//   measure-peer.ts <conclave|langgraph|floor> single      import time and RSS, peak RSS of one run,
//                                                         warm wall and CPU, CPU per run at 30 agents
//   measure-peer.ts <conclave|langgraph|floor> concurrent  100 concurrent runs: batch wall, event-loop lag p99,
//                                                         the kernel's CPU (system time) during the batch
// Prints one JSON object on stdout. Every system runs as JavaScript on plain node (vs-langgraph.ts
// compiles this file and the peers to .mjs), as a program using it would be deployed: Conclave's
// side imports the package's built entry (framework/entry.js, loading dist/), LangGraph's its package.

type Vote = (agents: number, latencyMs: number) => (task: string) => Promise<{ calls: number }>;
const [peer, mode] = process.argv.slice(2);
const LATENCY_MS = 100;
const WARM_RUNS = 3;
const mb = (bytes: number) => bytes / 1024 / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const runsDir = mkdtempSync(join(tmpdir(), "conclave-bench-peer-"));
try {
  const importStart = performance.now();
  const vote = await load(peer);
  const importMs = performance.now() - importStart;
  const importRss = mb(process.memoryUsage().rss);
  const three = vote(3, LATENCY_MS);
  await three("Name three risks of moving our API to HTTP/3");

  if (mode === "single") {
    const peakRss = peakRssMb(); // after one run, before any other
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      await three(`Warm task ${i}`);
      walls.push(performance.now() - start);
      cpus.push(cpuMs(cpu));
    }
    const thirty = vote(30, 50);
    await thirty("Warm up thirty agents");
    const cpus30: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const cpu = process.cpuUsage();
      await thirty(`Thirty agents ${i}`);
      cpus30.push(cpuMs(cpu));
    }
    print({ import_ms: importMs, import_rss_mb: importRss, peak_rss_mb: peakRss, warm_wall_ms: median(walls), warm_cpu_ms: median(cpus), agents_30_cpu_ms: median(cpus30) });
  } else if (mode === "concurrent") {
    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => three(`Concurrent task ${i}`)));
    const wall = performance.now() - start;
    const { system } = process.cpuUsage(cpu);
    lag.disable();
    // system: the kernel's CPU for this process during the batch (for Conclave, mostly its file-system calls).
    print({ concurrent_100_wall_ms: wall, event_loop_lag_p99_ms: lag.percentile(99) / 1e6, concurrent_100_system_cpu_ms: system / 1000 });
  } else {
    throw new Error(`measure-peer: the mode must be single or concurrent, received "${mode}"`);
  }
} finally {
  rmSync(runsDir, { recursive: true, force: true });
}

async function load(name: string | undefined): Promise<Vote> {
  const ext = import.meta.url.endsWith(".mjs") ? ".mjs" : ".ts"; // compiled: the peers beside it are too
  switch (name) {
    case "conclave": {
      const { conclaveVote } = (await import(`./conclave-vote${ext}`)) as typeof import("./conclave-vote.ts");
      return (agents, latencyMs) => conclaveVote(agents, latencyMs, runsDir);
    }
    case "langgraph":
      return ((await import(`./langgraph-vote${ext}`)) as typeof import("./langgraph-vote.ts")).langgraphVote;
    case "floor":
      return ((await import(`./floor-vote${ext}`)) as typeof import("./floor-vote.ts")).floorVote;
    default:
      throw new Error(`measure-peer: the system must be conclave, langgraph or floor, received "${name}"`);
  }
}

// This process's peak RSS: Linux's VmHWM, the high-water mark of this program's memory. resourceUsage().maxRSS also
// counts the parent's RSS when it forked this process (Linux keeps it across exec), so below the bench's own ~73 MB
// every system read the same.
function peakRssMb(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(existsSync("/proc/self/status") ? readFileSync("/proc/self/status", "utf8") : "");
  return hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

function print(figures: Record<string, number>): void {
  process.stdout.write(JSON.stringify(figures));
}
