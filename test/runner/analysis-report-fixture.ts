import type { AgentMetrics, AnalysisReport } from "../../framework/analysis/analysis-report.ts";

/** An agent's figures, `over` changed. */
export function agentMetrics(over: Partial<AgentMetrics> = {}): AgentMetrics {
  return { tokens: { input: 1200, output: 300, cached: 0 }, cost_usd: 0.0012, latency_s: { median: 0.1, max: 0.3 }, calls: 6, answers: 3, votes: 3, wins: 0, retries: 0, failures: 0, timeouts: 0, ...over };
}

/** A report of a circling run, built by hand: 3 agents, 6 rounds, one finding, two recommendations. */
export function circlingReport(over: Partial<AnalysisReport> = {}): AnalysisReport {
  return {
    run_id: "20261202-033000-0123456789ab",
    run_dir: "/tmp/runs/20261202-033000-0123456789ab",
    task: "Name three risks of moving our API to HTTP/3",
    status: "completed",
    winner: "alpha",
    config_path: "/tmp/configs/circling.yaml",
    metrics: {
      rounds: 6,
      calls: 36,
      restarts: 15,
      seconds_by_phase: { generation: 0.4, voting: 2.1, presentation: 0.2 },
      duration_s: 2.7,
      cost_usd: 0,
      by_agent: { alpha: agentMetrics({ wins: 1 }), beta: agentMetrics(), gamma: agentMetrics({ latency_s: { median: 1.5, max: 12 }, timeouts: 1 }) },
    },
    findings: [
      {
        kind: "split_on_minor_differences",
        severity: "warning",
        summary: "alpha, beta and gamma posted near-identical answers each round but voted each other down; 4 extra rounds with no progress.",
        evidence: [
          { text: "alpha.2 and beta.2 are 88% the same words; beta voted gamma.2", round: 2, agent: "beta", answers: ["alpha.2", "beta.2"], value: 0.88 },
          { text: "alpha.3 and gamma.3 are 91% the same words", round: 3, answers: ["alpha.3", "gamma.3"], value: 0.91 },
        ],
        agents: ["alpha", "beta", "gamma"],
        rounds: [2, 3, 4, 5, 6],
      },
      { kind: "slow_agent", severity: "info", summary: "gamma was the critical path: its slowest call took 12.0 s.", evidence: [], agents: ["gamma"], rounds: [] },
    ],
    recommendations: [
      { change: "coordination.max_rounds: 2", why: "rounds 3 to 6 changed nothing", expected: "2 rounds instead of 6, the same winner", set: { "coordination.max_rounds": 2 } },
      { change: "coordination.voting: lenient", why: "the answers differ only in style", expected: "a winner in round 2", set: { "coordination.voting": "lenient" } },
    ],
    ...over,
  };
}
