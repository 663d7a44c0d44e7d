import type { ConfigInput } from "../framework/config/config-schema.ts";

const TIMEOUTS = { run: 600, generation: 60, voting: 60, presentation: 60, call: 60, idle: 60 };

/**
 * Three scripted agents that post an answer, then a revised answer, then vote: generation plus
 * two voting rounds plus the presentation, each one model call deep.
 */
export function twoVotingRounds(latencyMs: number): ConfigInput {
  const ids = ["alpha", "beta", "gamma"];
  return {
    agents: ids.map((id, i) => ({
      id,
      backend: {
        type: "scripted",
        latency_ms: latencyMs,
        script: [
          { answer: `${id} first draft: ${"lorem ipsum ".repeat(5 + i)}` },
          { answer: `${id} revised with tests, metrics and a rollback plan number ${i}` },
          { vote: ["B", "C", "B"][i]!, reason: "most complete" },
        ],
      },
    })),
    coordination: { max_rounds: 4, timeouts: TIMEOUTS },
  };
}

/** `n` scripted agents at zero latency on the default behaviour, for CPU and throughput figures. */
export function zeroLatency(n: number): ConfigInput {
  return {
    agents: Array.from({ length: n }, (_, i) => ({ id: `agent${i + 1}`, backend: { type: "scripted", latency_ms: 0 } })),
    coordination: { max_rounds: 4, timeouts: TIMEOUTS },
  };
}
