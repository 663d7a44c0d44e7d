import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import type { AnalysisReport, Recommendation } from "../../framework/analysis/analysis-report.ts";
import { analyzeRun } from "../../framework/analysis/analyze-run.ts";
import { jaccard } from "../../framework/coordination/novelty.ts";
import { BETA_ANSWER, circling, cleanConsensus, costHotspot, deadlineHit, retryStorm, slowAgent, slowAgentStalling } from "../fixtures/analysis/scenarios.ts";
import { cleanRuns, runScripted } from "../support/scripted-run.ts";

afterAll(cleanRuns);

const kinds = (report: AnalysisReport) => report.findings.map((f) => f.kind);
const finding = (report: AnalysisReport, kind: string) => report.findings.find((f) => f.kind === kind)!;

// What `--write-config` does to the run's config, on the config object: each `set` path, and the agents kept.
function applied(config: ConfigInput, recommendations: Recommendation[]): ConfigInput {
  const copy = structuredClone(config) as Record<string, unknown> & ConfigInput;
  for (const r of recommendations) {
    if (r.agents) copy.agents = copy.agents.filter((a) => r.agents!.includes(a.id));
    for (const [path, value] of Object.entries(r.set ?? {})) {
      const keys = path.split(".");
      let node: Record<string, unknown> = copy;
      for (let i = 0; i < keys.length - 1; i++) {
        const key = keys[i]!;
        const next = key === "agents" ? undefined : node[key];
        if (key === "agents") {
          node = copy.agents.find((a) => a.id === keys[++i]) as unknown as Record<string, unknown>;
          continue;
        }
        node = (next ?? (node[key] = {})) as Record<string, unknown>;
      }
      node[keys.at(-1)!] = value;
    }
  }
  return copy;
}

describe("analyzeRun()", () => {
  it("finds alpha and gamma circling and split on near-identical answers for rounds 2–5, and recommends 2 rounds", async () => {
    const { result } = await runScripted(circling());
    expect(result).toMatchObject({ status: "completed", winner: "beta", winner_reason: "2 of 3 votes" });
    const report = await analyzeRun(result.log_dir);
    expect(report.metrics.rounds).toBe(6);
    expect(kinds(report)).toEqual(["circling", "split_on_minor_differences", "redundant_agent"]);

    const circlingFinding = finding(report, "circling");
    expect(circlingFinding).toMatchObject({ agents: ["alpha", "gamma"], rounds: [2, 3, 4, 5], severity: "critical" });
    const similarity = Number(jaccard(circling().agents[0]!.backend!.script![1]!.answer!, circling().agents[0]!.backend!.script![0]!.answer!).toFixed(3));
    expect(circlingFinding.evidence[0]).toEqual({ text: "round 2: alpha.2 is 83% the same words as alpha.1", agent: "alpha", round: 2, answers: ["alpha.1", "alpha.2"], value: similarity });
    expect(circlingFinding.evidence.map((e) => e.answers)).toContainEqual(["gamma.4", "gamma.5"]);

    const split = finding(report, "split_on_minor_differences");
    expect(split).toMatchObject({ agents: ["alpha", "gamma"], rounds: [2, 3, 4, 5, 6] });
    expect(split.evidence[0]!.text).toBe("round 2: alpha.1 and gamma.1 are 83% the same words; alpha posted alpha.2, gamma posted gamma.2");
    expect(split.evidence.at(-1)!.text).toBe("round 6: alpha.5 and gamma.5 are 83% the same words; alpha voted for beta.1, gamma voted for beta.1");

    expect(finding(report, "redundant_agent")).toMatchObject({ agents: ["gamma", "alpha"], rounds: [1, 2, 3, 4, 5] });
    expect(report.recommendations.map((r) => r.change)).toEqual(["coordination.max_rounds: 2", "coordination.voting: lenient", "--agents alpha,beta"]);
    expect(report.recommendations[0]).toMatchObject({ set: { "coordination.max_rounds": 2 } });
    expect(report.recommendations[0]!.expected).toMatch(/^The run stops after round 2 instead of 6: 4 fewer rounds, about 12 model calls/);
    expect(report.recommendations[2]).toMatchObject({ agents: ["alpha", "beta"] });
  });

  it("reruns the circling scenario with its recommendations in fewer rounds with the same winner and answer", async () => {
    const first = await runScripted(circling());
    const report = await analyzeRun(first.result.log_dir);
    const config = applied(circling(), report.recommendations);
    expect(config.coordination).toMatchObject({ max_rounds: 2, voting: "lenient" });
    expect(config.agents.map((a) => a.id)).toEqual(["alpha", "beta"]);

    const rerun = await runScripted(config);
    const again = await analyzeRun(rerun.result.log_dir);
    expect({ rounds: again.metrics.rounds, calls: again.metrics.calls }).toEqual({ rounds: 2, calls: 5 });
    expect(report.metrics).toMatchObject({ rounds: 6, calls: 19 });
    expect(rerun.result.winner).toBe(first.result.winner);
    expect(rerun.result.answer).toBe(first.result.answer);
    expect(rerun.result.answer).toBe(BETA_ANSWER);
    expect(kinds(again)).toEqual([]);
  });

  it("reports no finding on a clean 2-round consensus", async () => {
    const { result } = await runScripted(cleanConsensus());
    const report = await analyzeRun(result.log_dir);
    expect(report).toMatchObject({ status: "completed", winner: "beta", findings: [], recommendations: [] });
    expect(report.metrics).toMatchObject({ rounds: 2, calls: 7, restarts: 0 });
    expect(report.metrics.by_agent.beta).toMatchObject({ answers: 1, votes: 1, wins: 1, calls: 3, latency_s: { median: 0.13, max: 0.13 } });
    expect(Object.keys(report.metrics.seconds_by_phase)).toEqual(["planning", "generation", "voting", "presentation", "finalization"]);
  });

  it("names alpha as the slow agent when it answers 10× slower, and recommends the others", async () => {
    const { result } = await runScripted(slowAgent());
    const report = await analyzeRun(result.log_dir);
    expect(kinds(report)).toEqual(["slow_agent"]);
    const slow = finding(report, "slow_agent");
    expect(slow).toMatchObject({ agents: ["alpha"], rounds: [1, 2], severity: "critical" });
    expect(slow.evidence.map((e) => e.text)).toEqual([
      "alpha's median call took 1.0 s; the other agents' 0.1 s (10×)",
      "round 1 (generation): alpha finished 0.9 s after the last other agent",
      "round 2 (voting): alpha finished 0.9 s after the last other agent",
    ]);
    expect(report.recommendations).toEqual([expect.objectContaining({ change: "--agents beta,gamma", agents: ["beta", "gamma"] })]);
    expect(report.recommendations[0]!.expected).toBe("Each round ends when the others are done: about 1.8 s of 2.1 s less (86%).");
  });

  it("recommends a longer idle timeout for a slow agent whose streams stalled", async () => {
    const { result } = await runScripted(slowAgentStalling());
    const report = await analyzeRun(result.log_dir);
    expect(kinds(report)).toEqual(["slow_agent"]);
    expect(report.recommendations.map((r) => r.change)).toEqual(["coordination.timeouts.idle: 90", "--agents beta,gamma"]);
    expect(report.recommendations[0]!.why).toBe("alpha's stream stalled past the idle timeout of 30 s 2 times: a slow model can be silent that long before its first token.");
  });

  it("finds the cost hotspot in alpha (gpt-4.1 beside gpt-4.1-mini and -nano: over 70% of the cost, never winning) and names a cheaper voting model", async () => {
    const { result } = await runScripted(costHotspot());
    const report = await analyzeRun(result.log_dir);
    expect(kinds(report)).toEqual(["cost_hotspot"]);
    const hot = finding(report, "cost_hotspot");
    expect(hot.agents).toEqual(["alpha"]);
    const share = report.metrics.by_agent.alpha!.cost_usd / report.metrics.cost_usd;
    expect(share).toBeGreaterThanOrEqual(0.7);
    expect(share).toBeLessThan(0.8);
    expect(hot.evidence[0]!.value).toBe(Number(share.toFixed(3)));
    expect(report.recommendations.map((r) => r.change)).toEqual(["agents.alpha.backend.models.voting: gpt-4.1-mini", "--agents beta,gamma"]);
    expect(report.recommendations[0]!.set).toEqual({ "agents.alpha.backend.models.voting": "gpt-4.1-mini" });
  });

  it("finds beta's retry storm from its 3 rate-limited calls", async () => {
    const { result } = await runScripted(retryStorm());
    const report = await analyzeRun(result.log_dir);
    expect(kinds(report)).toEqual(["retry_storm"]);
    expect(finding(report, "retry_storm")).toMatchObject({ agents: ["beta"], rounds: [1], summary: "3 model calls were retried (beta), 3.0 s spent backing off." });
    expect(report.metrics.by_agent.beta!.retries).toBe(3);
    expect(report.recommendations).toEqual([expect.objectContaining({ change: "coordination.retry.base_delay: 2", set: { "coordination.retry.base_delay": 2 } })]);
  });

  it("finds the generation deadline that cut gamma off, and recommends twice the time", async () => {
    const { result } = await runScripted(deadlineHit());
    const report = await analyzeRun(result.log_dir);
    expect(kinds(report)).toEqual(["deadline_hit"]);
    const hit = finding(report, "deadline_hit");
    expect(hit).toMatchObject({ agents: ["gamma"], rounds: [1, 2] });
    expect(hit.evidence[0]).toEqual({ text: "round 1: the generation deadline (5 s, coordination.timeouts.generation) passed with gamma still working", round: 1, value: 5, agent: "gamma" });
    expect(report.recommendations.map((r) => r.set)).toEqual([{ "coordination.timeouts.generation": 10 }, { "coordination.timeouts.call": 60 }]);
    expect(report.metrics.by_agent.gamma!.timeouts).toBe(2);
  });

  it("reports a run with no votes (one round), and a single-agent run, without findings", async () => {
    const noVotes = await runScripted({ ...cleanConsensus(), coordination: { max_rounds: 1 } });
    const a = await analyzeRun(noVotes.result.log_dir);
    expect(a).toMatchObject({ status: "completed", findings: [] });
    // 3 answers, then the presentation: the winner's script offers a vote there, is told to reply in text, and does (2 calls).
    expect(a.metrics).toMatchObject({ rounds: 1, calls: 5 });
    expect(Object.values(a.metrics.by_agent).map((m) => m.votes)).toEqual([0, 0, 0]);

    const single = await runScripted(cleanConsensus(), { agent_mode: "single" });
    const b = await analyzeRun(single.result.log_dir);
    expect(b).toMatchObject({ status: "completed", winner: "alpha", findings: [], recommendations: [] });
    expect(b.metrics.by_agent.alpha).toMatchObject({ calls: 1, answers: 1, wins: 1 });
  });

  it("reports an abandoned run (no result.json, its process gone) and skips the torn last line of its events", async () => {
    const { result } = await runScripted(circling());
    const dir = result.log_dir;
    rmSync(join(dir, "result.json"));
    const status = JSON.parse(readFileSync(join(dir, "status.json"), "utf8"));
    // As the last heartbeat of a run in round 4 left it.
    Object.assign(status.results, { status: "running", winner: null, winner_reason: null, final_answer_path: null });
    Object.assign(status.coordination, { phase: "voting", round: 4, completion_percentage: 60, is_final_presentation: false });
    status.meta.pid = 2 ** 22 + 17; // above Linux's pid_max default: no such process
    writeFileSync(join(dir, "status.json"), JSON.stringify(status));
    // Cut events.jsonl in the middle of round 4, inside a line.
    const lines = readFileSync(join(dir, "events.jsonl"), "utf8").split("\n");
    const cut = lines.findIndex((l) => l.includes('"type":"run.round","round":4'));
    writeFileSync(join(dir, "events.jsonl"), `${lines.slice(0, cut + 3).join("\n")}\n${lines[cut + 3]!.slice(0, 20)}`);

    const report = await analyzeRun(dir);
    expect(report).toMatchObject({ status: "abandoned", winner: null });
    expect(report.metrics.rounds).toBe(4);
    expect(finding(report, "circling").rounds).toEqual([2, 3]);
  });
});
