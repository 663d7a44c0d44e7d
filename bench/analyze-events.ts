import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeRun } from "../framework/analysis/analyze-run.ts";

const AGENTS = ["alpha", "beta", "gamma", "delta", "epsilon"];

/**
 * A finished run directory with `n` events in the shape a run writes them: 5 agents, 4 rounds
 * and a presentation; every turn reads and writes files (tool calls) before it answers or votes;
 * at most 3 answers per agent (the default), each of 150 words; neighbours share a third of their
 * words, and a revision 90% of its own (so the similarity detectors have work to do).
 */
export function syntheticRun(runsDir: string, n: number): string {
  const runId = "20261202-000000-000000000000";
  const dir = join(runsDir, runId);
  mkdirSync(dir, { recursive: true });
  const events: Record<string, unknown>[] = [];
  let t = 0;
  const at = () => (t += 37);
  const turns = AGENTS.length * 4 + 1;
  const toolCalls = Math.max(0, Math.floor((n - 4 - turns * 2 - 3) / turns / 2));
  const usage = (agentId: string, round: number) => ({ type: "run.agent.usage", agentId, round, at: t, usage: { input_tokens: 4000 + round * 900, output_tokens: 180, cached_tokens: 3000 }, cost_usd: 0.0031, model: "gpt-4.1-mini" });
  const answer = (agent: number, k: number) => Array.from({ length: 150 }, (_, i) => `w${agent * 100 + i + (i % 10 === 0 ? k * 1000 : 0)}`).join(" ");
  const turn = (agent: number, round: number, last: Record<string, unknown>) => {
    const agentId = AGENTS[agent]!;
    for (let c = 0; c < toolCalls; c++) {
      events.push({ t: at(), ...usage(agentId, round) }, { t: at(), type: "run.agent.tool_call", agentId, round, at: t, name: c % 3 ? "read_file" : "write_file", ok: true });
    }
    events.push({ t: at(), ...usage(agentId, round) }, { t: at(), agentId, round, at: t, ...last });
  };
  events.push({ t: 0, type: "run.phase", phase: "planning", round: 0 }, { t: at(), type: "run.phase", phase: "generation", round: 1 });
  const answers = AGENTS.map(() => 1);
  AGENTS.forEach((_, i) => turn(i, 1, { type: "run.agent.answered", content: answer(i, 1) }));
  for (let round = 2; round <= 4; round++) {
    events.push({ t: at(), type: round === 2 ? "run.phase" : "run.round", ...(round === 2 && { phase: "voting" }), round });
    AGENTS.forEach((id, i) => {
      // Two agents revise while they have answers left; the others vote for beta's latest.
      if (i < 2 && round < 4 && answers[i]! < 3) turn(i, round, { type: "run.agent.answered", content: answer(i, ++answers[i]!) });
      else turn(i, round, { type: "run.agent.voted", label: "B", target: `beta.${answers[1]}`, reason: "clearest plan" });
    });
  }
  events.push({ t: at(), type: "run.phase", phase: "presentation", round: 4 });
  turn(1, 4, { type: "run.agent.presented", content: answer(1, answers[1]!) });
  events.push({ t: at(), type: "run.phase", phase: "finalization", round: 4 }, { t: at(), type: "run.finished", status: "completed", winner: "beta", winner_reason: "4 of 5 votes" });
  writeFileSync(join(dir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  const started = new Date().toISOString();
  writeFileSync(join(dir, "run_description.json"), JSON.stringify({ run_id: runId, task: "Add a cache to the API", options: { agent_mode: "multi", settings: { mode: "multi", maxRounds: 4 } }, config_path: null, agents: AGENTS.map((id) => ({ id, backend: "openai", model: "gpt-4.1-mini" })), started_at: started, pid: process.pid, host: hostname() }));
  writeFileSync(join(dir, "result.json"), JSON.stringify({ run_id: runId, status: "completed", winner: "beta", winner_reason: "4 of 5 votes", votes: { "beta.3": 4 } }));
  return dir;
}

/** Wall milliseconds of analyzeRun() (reading the files included) per 1,000 events, on a run of about 1,000: the median of `reps` after one warm-up. */
export async function analyzeMsPer1000Events(reps: number): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), "conclave-bench-analyze-"));
  try {
    const dir = syntheticRun(root, 1000);
    const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").length;
    const samples: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const start = performance.now();
      const report = await analyzeRun(dir, { env: {} });
      const ms = performance.now() - start;
      if (report.metrics.rounds !== 4 || report.winner !== "beta") throw new Error(`analyze bench: ${report.metrics.rounds} rounds, winner ${report.winner}`);
      if (i > 0) samples.push((ms * 1000) / events);
    }
    const s = samples.sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// `npx tsx bench/analyze-events.ts`: this figure alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ms = await analyzeMsPer1000Events(Number(process.env.BENCH_REPS ?? 5));
  console.log(JSON.stringify({ analyze_ms_per_1000_events: Number(ms.toFixed(2)) }));
}
