import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../framework/runs/run.ts";
import { analyzeMsPer1000Events } from "./analyze-events.ts";
import { backendOverheadMs } from "./backend-overhead.ts";
import { twoVotingRounds, zeroLatency } from "./bench-config.ts";
import { mcpClientTokensPerFeature } from "./mcp-client-tokens.ts";
import { journalOverheadRatio, resumeReplayMsPer100Turns } from "./resume-figures.ts";
import { coldStart, watchRerun } from "./runner-timings.ts";
import { vsLangGraph } from "./vs-langgraph.ts";

// `npm run bench`: one JSON object of medians. Each figure measures what its name says.
const REPS = Number(process.env.BENCH_REPS ?? 5);
const LATENCY_MS = 100;
const runsDir = mkdtempSync(join(tmpdir(), "conclave-bench-"));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

// Wall time of a 3-agent run with two voting rounds over its critical path: one call per phase and round.
async function overheadRatio(): Promise<number> {
  const ratios: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const start = performance.now();
    const result = await run({ task: "Plan the migration of the billing service", config: twoVotingRounds(LATENCY_MS), runsDir, env: {} });
    const wall = performance.now() - start;
    const rounds = result.answers.reduce((max, a) => Math.max(max, a.round), 0) + 1; // generation + voting rounds
    if (result.status !== "completed" || rounds !== 3) throw new Error(`overhead run: status ${result.status}, ${rounds} rounds`);
    const criticalPath = (rounds + 1) * LATENCY_MS; // + presentation
    ratios.push(wall / criticalPath);
  }
  return median(ratios);
}

// Process CPU (user + system) per model call, at zero latency, over a 5-agent run.
async function cpuPerCall(): Promise<number> {
  const perCall: number[] = [];
  for (let i = 0; i < REPS + 1; i++) {
    const before = process.cpuUsage();
    const result = await run({ task: "Review the retry policy", config: zeroLatency(5), runsDir, env: {} });
    const used = process.cpuUsage(before);
    if (i > 0) perCall.push((used.user + used.system) / 1000 / result.usage.llm_calls); // the first run warms the JIT
  }
  return median(perCall);
}

function parallel(): { runs_per_s: number; peak_rss_mb: number } {
  const samples: { runs_per_s: number; peak_rss_mb: number }[] = [];
  const script = fileURLToPath(new URL("./parallel-runs.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../node_modules/tsx/dist/cli.mjs", import.meta.url));
  for (let i = 0; i < Math.max(3, Math.ceil(REPS / 2)); i++) {
    samples.push(JSON.parse(execFileSync(process.execPath, [tsx, script], { encoding: "utf8" })));
  }
  return { runs_per_s: median(samples.map((s) => s.runs_per_s)), peak_rss_mb: median(samples.map((s) => s.peak_rss_mb)) };
}

// Chat turns in a child process of their own: per-turn overhead and context build at 1,000 turns, heap at 1k and 10k.
function sessionTurns(): { turn_ms: number; context_build_ms: number; heap_mb_1k: number; heap_mb_10k: number } {
  const script = fileURLToPath(new URL("./session-turns.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../node_modules/tsx/dist/esm/index.mjs", import.meta.url));
  const once = (turns: number) => JSON.parse(execFileSync(process.execPath, ["--expose-gc", "--import", tsx, script, String(turns)], { encoding: "utf8" })) as { turn_ms: number; context_build_ms: number; heap_mb: number };
  const small = Array.from({ length: 3 }, () => once(1000));
  const large = once(10_000);
  return {
    turn_ms: median(small.map((s) => s.turn_ms)),
    context_build_ms: median(small.map((s) => s.context_build_ms)),
    heap_mb_1k: median(small.map((s) => s.heap_mb)),
    heap_mb_10k: large.heap_mb,
  };
}

// The HTTP server's event stream in a child process of its own (which starts the real `conclave serve`): latency, and 100 clients' peak RSS.
function serveStreams(): { sse_event_latency_ms: number; serve_concurrent_streams: { clients: number; events: number; all_received: boolean; delivery_ms: number; server_peak_rss_mb: number | null } } {
  const script = fileURLToPath(new URL("./serve-streams.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../node_modules/tsx/dist/esm/index.mjs", import.meta.url));
  const samples = Array.from({ length: 3 }, () => JSON.parse(execFileSync(process.execPath, ["--import", tsx, script], { encoding: "utf8" })) as ReturnType<typeof serveStreams>);
  const last = samples.at(-1)!.serve_concurrent_streams;
  return {
    sse_event_latency_ms: median(samples.map((s) => s.sse_event_latency_ms)),
    serve_concurrent_streams: { ...last, delivery_ms: median(samples.map((s) => s.serve_concurrent_streams.delivery_ms)), server_peak_rss_mb: median(samples.map((s) => s.serve_concurrent_streams.server_peak_rss_mb ?? 0)) },
  };
}

// BENCH_ONLY=vs_langgraph,cold_start runs only the sections named (each a key below); unset, all of them.
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
const SECTIONS = ["overhead", "cpu", "parallel", "backend", "watch", "cold_start", "chat", "streams", "mcp", "analyze", "resume", "vs_langgraph"];
const unknown = only?.filter((s) => !SECTIONS.includes(s)) ?? [];
if (unknown.length) {
  rmSync(runsDir, { recursive: true, force: true });
  throw new Error(`BENCH_ONLY: unknown section ${unknown.map((s) => `"${s}"`).join(", ")}; the sections are ${SECTIONS.join(", ")}.`);
}
const wanted = (section: string) => !only?.length || only.includes(section);

try {
  const figures: Record<string, unknown> = {};
  if (wanted("overhead")) figures.overhead_ratio = round(await overheadRatio());
  if (wanted("cpu")) figures.coordination_cpu_ms_per_call = round(await cpuPerCall());
  if (wanted("parallel")) {
    const par = parallel();
    Object.assign(figures, { parallel_runs_per_s: round(par.runs_per_s, 1), parallel_peak_rss_mb: round(par.peak_rss_mb, 1) });
  }
  if (wanted("backend")) {
    const backend = await backendOverheadMs(REPS);
    Object.assign(figures, { backend_overhead_ms: round(Math.max(backend.openai, backend.anthropic)), backend_overhead_ms_by_backend: { openai: round(backend.openai), anthropic: round(backend.anthropic) } });
  }
  if (wanted("watch")) figures.watch_rerun_ms = round(await watchRerun(REPS), 1);
  if (wanted("cold_start")) {
    const start = coldStart(REPS);
    Object.assign(figures, {
      cold_start_ms: round(start.cold_start_ms, 1),
      cold_start_ratio_to_empty_tsx: round(start.ratio, 2),
      empty_tsx_ms: round(start.empty_tsx_ms, 1),
      cold_start_import_only_ms: round(start.import_only_ms, 1),
    });
  }
  if (wanted("chat")) {
    const chat = sessionTurns();
    Object.assign(figures, {
      chat_turn_overhead_ms: round(chat.turn_ms),
      session_context_build_ms_1000_turns: round(chat.context_build_ms),
      session_memory_mb_per_1000_turns: { over_1k_turns: round(chat.heap_mb_1k, 2), over_10k_turns: round(chat.heap_mb_10k / 10, 2) },
    });
  }
  if (wanted("streams")) {
    const streams = serveStreams();
    Object.assign(figures, {
      sse_event_latency_ms: round(streams.sse_event_latency_ms, 2),
      serve_concurrent_streams: { ...streams.serve_concurrent_streams, delivery_ms: round(streams.serve_concurrent_streams.delivery_ms, 1), server_peak_rss_mb: round(streams.serve_concurrent_streams.server_peak_rss_mb ?? 0, 1) },
    });
  }
  if (wanted("mcp")) figures.mcp_client_tokens_per_feature = (await mcpClientTokensPerFeature()).tokens;
  if (wanted("analyze")) figures.analyze_ms_per_1000_events = round(await analyzeMsPer1000Events(REPS), 2);
  if (wanted("resume")) {
    figures.resume_replay_ms_per_100_turns = round(await resumeReplayMsPer100Turns(REPS, runsDir), 2);
    figures.journal_overhead_ratio = round(await journalOverheadRatio(REPS, runsDir, LATENCY_MS), 4);
  }
  if (wanted("vs_langgraph")) Object.assign(figures, await vsLangGraph(REPS));
  console.log(JSON.stringify({ ...figures, reps: REPS }));
} finally {
  rmSync(runsDir, { recursive: true, force: true });
}
