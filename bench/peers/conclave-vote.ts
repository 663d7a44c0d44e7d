import { run, type ConfigInput } from "../../framework/index.ts";

// Conclave's side of vs_langgraph: the same consensus through the public API. n scripted agents
// answer once and vote once, refinement off, and the winner presents: 2n + 1 model calls.

const TIMEOUTS = { run: 600, generation: 60, voting: 60, presentation: 60, call: 60, idle: 60 };
const LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A config of `agents` scripted agents at `latencyMs` that each answer once, then vote for the next agent's answer. */
export function voteConfig(agents: number, latencyMs: number): ConfigInput {
  return {
    agents: Array.from({ length: agents }, (_, i) => ({
      id: `agent${i + 1}`,
      backend: {
        type: "scripted",
        latency_ms: latencyMs,
        script: [{ answer: `agent${i + 1} answer: ${"lorem ipsum ".repeat(5 + (i % 3))}` }, { vote: LABELS[(i + 1) % agents] ?? "A", reason: "most complete" }],
      },
    })),
    coordination: { refinement: false, max_rounds: 4, timeouts: TIMEOUTS },
  };
}

/**
 * The function it returns makes one run into `runsDir` and checks that it completed with 2n + 1
 * model calls.
 *
 * @example
 * const vote = conclaveVote(3, 100, "/tmp/bench-runs");
 * await vote("Name three risks of moving our API to HTTP/3");
 */
export function conclaveVote(agents: number, latencyMs: number, runsDir: string): (task: string) => Promise<{ presentation: string; calls: number }> {
  const config = voteConfig(agents, latencyMs);
  return async (task: string) => {
    const result = await run({ task, config, runsDir, env: {} });
    if (result.status !== "completed" || result.usage.llm_calls !== 2 * agents + 1 || result.answers.length !== agents) {
      throw new Error(`conclave peer: expected a completed run with ${2 * agents + 1} model calls and ${agents} answers, received ${result.status} with ${result.usage.llm_calls} calls and ${result.answers.length} answers`);
    }
    return { presentation: result.answer ?? "", calls: result.usage.llm_calls };
  };
}
