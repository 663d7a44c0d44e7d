import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { run } from "../framework/index.ts";
import { distProblem } from "../framework/use-dist.js";
import { voteConfig } from "./peers/conclave-vote.ts";

// vs_langgraph in `npm run bench`: Conclave beside the same consensus in LangGraph.js
// (bench/peers/langgraph-vote.ts) and beside the floor (nothing but the sleeps). Every sample is
// a child process of its own (bench/peers/measure-peer.ts), the systems interleaved within each
// repetition; each figure is the median over the repetitions; ratio = conclave / langgraph.
// All three run as JavaScript on plain node, compiled once here, so no loader's cost is counted:
// Conclave's side imports the package's built entry (framework/entry.js, dist/ built here if stale).

const root = fileURLToPath(new URL("..", import.meta.url));
const SYSTEMS = ["conclave", "langgraph", "floor"] as const;
type System = (typeof SYSTEMS)[number];
type Figures = Record<string, number>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function child(args: string[], cwd = root, env: NodeJS.ProcessEnv = {}): { stdout: string; wallMs: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`bench vs_langgraph: \`node ${args.join(" ")}\` exited ${r.status}:\n${r.stderr}`);
  return { stdout: r.stdout, wallMs };
}

// The peers' JavaScript, under node_modules/ so that their packages resolve from it; Conclave's imports the
// package's entry by its path (a file under node_modules/ cannot import its own package by name).
const compiled = join(root, "node_modules/.cache/conclave-bench-peers");
function compilePeers(): void {
  mkdirSync(compiled, { recursive: true });
  const entry = JSON.stringify(pathToFileURL(join(root, "framework/entry.js")).href);
  for (const name of ["measure-peer", "conclave-vote", "langgraph-vote", "floor-vote"]) {
    const source = readFileSync(join(root, "bench/peers", `${name}.ts`), "utf8");
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
    writeFileSync(join(compiled, `${name}.mjs`), outputText.replace('"../../framework/index.ts"', entry));
  }
  if (distProblem(root)) child([join(root, "scripts/build-dist.mjs")]);
}

// `env` TMPDIR=/dev/shm puts the runs directory (Conclave's side writes one per run; LangGraph's MemorySaver writes nothing) in memory.
const measure = (system: System, mode: "single" | "concurrent", env: NodeJS.ProcessEnv = {}): Figures => JSON.parse(child([join(compiled, "measure-peer.mjs"), system, mode], root, env).stdout);
const TMPFS = "/dev/shm";
// 100 concurrent runs with the runs directory on a RAM file system, where there is one: the framework's own cost, without the disk's.
const inMemory = (system: System): Figures => {
  if (!existsSync(TMPFS)) return {};
  const { concurrent_100_wall_ms, event_loop_lag_p99_ms, concurrent_100_system_cpu_ms } = measure(system, "concurrent", { TMPDIR: TMPFS });
  const { warm_cpu_ms, agents_30_cpu_ms } = measure(system, "single", { TMPDIR: TMPFS });
  return {
    concurrent_100_wall_tmpfs_ms: concurrent_100_wall_ms!,
    event_loop_lag_p99_tmpfs_ms: event_loop_lag_p99_ms!,
    concurrent_100_system_cpu_tmpfs_ms: concurrent_100_system_cpu_ms!,
    warm_cpu_tmpfs_ms: warm_cpu_ms!,
    agents_30_cpu_tmpfs_ms: agents_30_cpu_ms!,
  };
};

// One process from start to exit that makes one 3-agent run at 100 ms: `conclave ask --dry-run` for Conclave, the peer's script for the others.
// Each prints the winning answer; a process that printed none did not run the consensus.
function oneShot(system: System, scratch: string): number {
  const { stdout, wallMs } =
    system === "conclave"
      ? child([join(root, "bin/conclave.js"), "ask", "Name three risks of moving our API to HTTP/3", "--dry-run", "--yes", "--config", join(scratch, "vote.yaml"), "--runs-dir", join(scratch, "runs")], scratch)
      : child([join(compiled, `${system}-vote.mjs`)]);
  if (!stdout.includes("agent")) throw new Error(`bench vs_langgraph: the one-shot ${system} process printed no answer; received stdout ${JSON.stringify(stdout)}`);
  return wallMs;
}

// What the file system charges for a new file: the median µs to create, write (300 bytes) and close one, over
// batches of 200 in a fresh folder of `base`. A run directory is made of new files and folders, so on a file system
// where this is slow, every on-disk figure of Conclave's is too (LangGraph's MemorySaver makes none).
function newFileUs(base: string): number {
  const dir = mkdtempSync(join(base, "conclave-bench-fs-"));
  try {
    const batches = Array.from({ length: 5 }, (_, b) => {
      mkdirSync(join(dir, `b${b}`));
      const start = performance.now();
      for (let i = 0; i < 200; i++) {
        const fd = openSync(join(dir, `b${b}`, `f${i}`), "wx");
        writeSync(fd, "x".repeat(300));
        closeSync(fd);
      }
      return ((performance.now() - start) * 1000) / 200;
    });
    return median(batches);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// How many files and folders one run of the vs_langgraph consensus (3 agents) leaves in its run directory, itself
// included: each one a new file or folder (status.json is replaced at each phase, a new file each time, on top).
async function runDirEntries(scratch: string): Promise<number> {
  const result = await run({ task: "Name three risks of moving our API to HTTP/3", config: voteConfig(3, 0), runsDir: join(scratch, "count"), env: {} });
  const count = (dir: string): number => 1 + readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(join(dir, e.name)) : 1), 0);
  return count(result.log_dir);
}

/**
 * Every vs_langgraph figure: for each, the median of each system, the ratio conclave/langgraph,
 * and the floor where one exists; plus Conclave's event-loop lag p99 during 100 concurrent runs. The
 * 100-run batch is measured twice: with the runs directory in the system's temporary folder (on disk
 * here), and in /dev/shm (`_tmpfs`), so the framework's cost shows apart from the disk's.
 *
 * @example
 * const { vs_langgraph } = vsLangGraph(5);
 * vs_langgraph.warm_wall; // { unit: "ms", conclave: 311, langgraph: 322, floor: 302, ratio: 0.97 }
 */
export async function vsLangGraph(reps: number): Promise<VsLangGraph> {
  compilePeers();
  const scratch = mkdtempSync(join(tmpdir(), "conclave-bench-vs-"));
  writeFileSync(join(scratch, "vote.yaml"), JSON.stringify(voteConfig(3, 100))); // JSON is YAML
  const samples = Object.fromEntries(SYSTEMS.map((s) => [s, [] as Figures[]])) as Record<System, Figures[]>;
  let files: Omit<VsLangGraph["file_system"], "concurrent_100_system_cpu_ms">;
  try {
    for (let i = 0; i < reps; i++) {
      const order = SYSTEMS.map((_, k) => SYSTEMS[(i + k) % SYSTEMS.length]!); // who goes first rotates
      for (const system of order) samples[system].push({ ...measure(system, "single"), ...measure(system, "concurrent"), ...inMemory(system), one_shot_wall_ms: oneShot(system, scratch) });
    }
    files = { new_file_us: round(newFileUs(tmpdir())), ...(existsSync(TMPFS) && { new_file_us_tmpfs: round(newFileUs(TMPFS)) }), run_dir_entries: await runDirEntries(scratch) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const med = (system: System, key: string) => median(samples[system].map((s) => s[key]!));
  const figure = (key: string, unit: string, floor: boolean) => {
    const conclave = med("conclave", key);
    const langgraph = med("langgraph", key);
    return { unit, conclave: round(conclave), langgraph: round(langgraph), ...(floor && { floor: round(med("floor", key)) }), ratio: round(conclave / langgraph, 2) };
  };
  // A batch's throughput against LangGraph's (runs per second ÷ runs per second): the inverse of the wall ratio.
  const batch = (key: string) => {
    const f = figure(key, "ms", true);
    return { ...f, throughput_vs_langgraph: round(f.langgraph / f.conclave, 2) };
  };
  const tmpfs = samples.conclave.every((s) => s.concurrent_100_wall_tmpfs_ms !== undefined);
  // The kernel's CPU during the 100-run batch, each system's median, on disk and in /dev/shm: what the file system charges.
  const systemCpu = (system: System) => ({ disk: round(med(system, "concurrent_100_system_cpu_ms")), ...(tmpfs && { tmpfs: round(med(system, "concurrent_100_system_cpu_tmpfs_ms")) }) });
  return {
    vs_langgraph: {
      warm_wall: figure("warm_wall_ms", "ms", true),
      warm_cpu: figure("warm_cpu_ms", "ms", true),
      one_shot_wall: figure("one_shot_wall_ms", "ms", true),
      import_ms: figure("import_ms", "ms", false),
      import_rss: figure("import_rss_mb", "MB", false),
      peak_rss: figure("peak_rss_mb", "MB", true),
      concurrent_100_wall: batch("concurrent_100_wall_ms"),
      ...(tmpfs && { concurrent_100_wall_tmpfs: batch("concurrent_100_wall_tmpfs_ms") }),
      agents_30_cpu: figure("agents_30_cpu_ms", "ms", true),
      // CPU (user + system, every thread) counts the kernel's time in the file system: on a slow disk most of Conclave's.
      ...(tmpfs && { warm_cpu_tmpfs: figure("warm_cpu_tmpfs_ms", "ms", true), agents_30_cpu_tmpfs: figure("agents_30_cpu_tmpfs_ms", "ms", true) }),
    },
    event_loop_lag_p99_ms: round(med("conclave", "event_loop_lag_p99_ms")),
    ...(tmpfs && { event_loop_lag_p99_tmpfs_ms: round(med("conclave", "event_loop_lag_p99_tmpfs_ms")) }),
    file_system: { ...files, concurrent_100_system_cpu_ms: { conclave: systemCpu("conclave"), langgraph: systemCpu("langgraph") } },
  };
}

/** What vsLangGraph() measures. */
export interface VsLangGraph {
  vs_langgraph: Record<string, Record<string, number | string>>;
  event_loop_lag_p99_ms: number;
  event_loop_lag_p99_tmpfs_ms?: number;
  /**
   * The cost of a new file in the temporary folder (and in /dev/shm), how many a run directory holds, and the kernel's
   * CPU (system time) of each system's process during the 100-run batch, with its runs directory on disk and in /dev/shm.
   */
  file_system: { new_file_us: number; new_file_us_tmpfs?: number; run_dir_entries: number; concurrent_100_system_cpu_ms: Record<string, { disk: number; tmpfs?: number }> };
}
