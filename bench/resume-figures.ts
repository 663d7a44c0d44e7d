import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConfigInput } from "../framework/config/config-schema.ts";
import { resumeRun } from "../framework/runs/resume-run.ts";
import { run } from "../framework/runs/run.ts";
import { twoVotingRounds } from "./bench-config.ts";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// Five scripted agents at zero latency: all answer, then for 19 voting rounds one of them revises its answer while the
// other four vote, then all vote: 5 + 19 × 5 + 5 + 1 presentation = 106 model turns.
function manyTurns(): ConfigInput {
  const ids = ["alpha", "beta", "gamma", "delta", "epsilon"];
  const rounds = 19;
  const vote = (i: number) => ({ vote: i === 0 ? "B" : "A", reason: "most complete" });
  return {
    agents: ids.map((id, i) => ({
      id,
      backend: {
        type: "scripted",
        latency_ms: 0,
        script: [
          { answer: `${id} first draft: ${`${id}-${i} `.repeat(6)}` },
          ...Array.from({ length: rounds }, (_, r) => (r % ids.length === i ? { answer: `${id} revision ${r}: ${`${id}-${r}-${i} step ${r * 31 + i} `.repeat(3)}` } : vote(i))),
          vote(i),
        ],
      },
    })),
    coordination: { max_rounds: rounds + 2, max_answers_per_agent: rounds, timeouts: { run: 600, generation: 60, voting: 60, presentation: 60, call: 60, idle: 60 } },
  };
}

/**
 * Wall milliseconds a resume spends per 100 recorded turns: a ~100-turn run is stopped just before its end
 * (its result.json removed), then resumed, replaying every turn from the journal and calling none.
 */
export async function resumeReplayMsPer100Turns(reps: number, runsDir: string): Promise<number> {
  const config = manyTurns();
  const samples: number[] = [];
  for (let i = 0; i < reps + 1; i++) {
    const done = await run({ task: "Plan the migration of the billing service", config, runsDir, env: {} });
    if (done.status !== "completed") throw new Error(`replay bench run: status ${done.status}`);
    rmSync(join(done.log_dir, "result.json"));
    const turns = done.usage.llm_calls;
    const start = performance.now();
    const resumed = await resumeRun(done.log_dir, { config, env: {} });
    const wall = performance.now() - start;
    if (resumed.status !== "completed" || resumed.usage.llm_calls !== turns) throw new Error(`replay bench resume: status ${resumed.status}, ${resumed.usage.llm_calls} of ${turns} calls`);
    if (turns < 100) throw new Error(`replay bench run: ${turns} model turns, expected over 100`);
    if (i > 0) samples.push((wall / turns) * 100); // the first warms the JIT
  }
  return median(samples);
}

/** Wall time of a 3-agent run at 100 ms model latency with the flushed call journal, divided by the same run without it. */
export async function journalOverheadRatio(reps: number, runsDir: string, latencyMs = 100): Promise<number> {
  const config = twoVotingRounds(latencyMs);
  const wall = async (env: NodeJS.ProcessEnv) => {
    const start = performance.now();
    const result = await run({ task: "Plan the migration of the billing service", config, runsDir, env });
    if (result.status !== "completed") throw new Error(`journal bench run: status ${result.status}`);
    return performance.now() - start;
  };
  await wall({}); // warm-up
  const ratios: number[] = [];
  for (let i = 0; i < reps; i++) {
    const off = await wall({ CONCLAVE_CALL_JOURNAL: "off" });
    const on = await wall({});
    ratios.push(on / off);
  }
  return median(ratios);
}

// `npx tsx bench/resume-figures.ts`: these two figures alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reps = Number(process.env.BENCH_REPS ?? 5);
  const runsDir = mkdtempSync(join(tmpdir(), "conclave-bench-resume-"));
  try {
    const replay = await resumeReplayMsPer100Turns(reps, runsDir);
    const overhead = await journalOverheadRatio(reps, runsDir);
    console.log(JSON.stringify({ resume_replay_ms_per_100_turns: Number(replay.toFixed(2)), journal_overhead_ratio: Number(overhead.toFixed(4)), reps }));
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
}
