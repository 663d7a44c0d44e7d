import type { AgentMetrics, RunMetrics } from "./analysis-report.ts";
import { median, roundTo } from "./format-figures.ts";
import type { RunTimeline } from "./run-timeline.ts";

/**
 * The figures of a run from its timeline: rounds, calls, restarts, seconds by phase, and per
 * agent tokens, cost, call latency, answers, votes, wins, retries, failures and timeouts.
 *
 * @example
 * runMetrics(timeline, "beta").by_agent.beta.wins; // 1
 */
export function runMetrics(timeline: RunTimeline, winner: string | null): RunMetrics {
  const byAgent: Record<string, AgentMetrics> = {};
  const latencies: Record<string, number[]> = {};
  for (const id of timeline.agents) {
    latencies[id] = [];
    byAgent[id] = {
      tokens: { input: 0, output: 0, cached: 0 },
      cost_usd: 0,
      latency_s: { median: 0, max: 0 },
      calls: 0,
      answers: 0,
      votes: 0,
      wins: id === winner ? 1 : 0,
      retries: 0,
      failures: 0,
      timeouts: 0,
    };
  }
  let cost = 0;
  for (const call of timeline.calls) {
    const m = byAgent[call.agent]!;
    m.tokens.input += call.tokens.input;
    m.tokens.output += call.tokens.output;
    m.tokens.cached += call.tokens.cached;
    m.cost_usd += call.cost_usd ?? 0;
    cost += call.cost_usd ?? 0;
    m.calls++;
    latencies[call.agent]!.push((call.end - call.start) / 1000);
  }
  for (const a of timeline.answers) byAgent[a.agent]!.answers++;
  for (const v of timeline.votes) byAgent[v.voter]!.votes++;
  for (const r of timeline.retries) byAgent[r.agent]!.retries++;
  for (const f of timeline.failures) {
    byAgent[f.agent]!.failures++;
    if (f.kind === "timeout" || f.kind === "idle_timeout") byAgent[f.agent]!.timeouts++;
  }
  for (const d of timeline.deadlines) for (const id of d.timed_out) if (byAgent[id]) byAgent[id].timeouts++;
  for (const [id, m] of Object.entries(byAgent)) {
    const xs = latencies[id]!;
    m.latency_s = { median: roundTo(median(xs)), max: roundTo(xs.length ? Math.max(...xs) : 0) };
    m.cost_usd = roundTo(m.cost_usd, 10);
  }

  const secondsByPhase: Record<string, number> = {};
  timeline.phases.forEach((p, i) => {
    const until = timeline.phases[i + 1]?.t ?? timeline.end;
    secondsByPhase[p.phase] = roundTo((secondsByPhase[p.phase] ?? 0) + Math.max(0, until - p.t) / 1000);
  });
  return {
    rounds: timeline.rounds,
    calls: timeline.calls.length,
    restarts: Object.values(byAgent).reduce((n, m) => n + Math.max(0, m.answers - 1), 0),
    seconds_by_phase: secondsByPhase,
    duration_s: roundTo(timeline.end / 1000),
    cost_usd: roundTo(cost, 10),
    by_agent: byAgent,
  };
}
