import { afterAll, describe, expect, it } from "vitest";
import type { Recommendation } from "../../framework/analysis/analysis-report.ts";
import { analyzeRun } from "../../framework/analysis/analyze-run.ts";
import { compactAnalysis } from "../../framework/analysis/compact-analysis.ts";
import { launchOverrides } from "../../framework/analysis/launch-overrides.ts";
import { parseLaunchRun } from "../../framework/runs/launch-run.ts";
import { circling } from "../fixtures/analysis/scenarios.ts";
import { cleanRuns, runScripted } from "../support/scripted-run.ts";

afterAll(cleanRuns);

const set = (path: string, value: number | string): Recommendation => ({ change: `${path}: ${value}`, why: "w", expected: "e", set: { [path]: value } });

describe("launchOverrides()", () => {
  it("nests the coordination paths launch_run accepts into coordination_overrides, and keeps the agents", () => {
    const overrides = launchOverrides([
      set("coordination.max_rounds", 2),
      set("coordination.voting", "lenient"),
      set("coordination.timeouts.idle", 90),
      set("coordination.timeouts.generation", 10),
      set("coordination.retry.base_delay", 2),
      { change: "--agents alpha,beta", why: "w", expected: "e", agents: ["alpha", "beta"] },
    ]);
    expect(overrides).toEqual({
      coordination_overrides: { max_rounds: 2, voting: "lenient", timeouts: { idle: 90, generation: 10 }, retry: { base_delay: 2 } },
      agents: ["alpha", "beta"],
      needs_write_config: [],
    });
    // What it gives is what launch_run takes.
    const { needs_write_config: _, ...args } = overrides;
    expect(parseLaunchRun({ task: "Design a cache for the API", ...args })).toMatchObject({ ok: true, args: { coordination_overrides: overrides.coordination_overrides, agents: ["alpha", "beta"] } });
  });

  it("lists the paths launch_run cannot express as needing --write-config, never dropping them", () => {
    const overrides = launchOverrides([
      set("budget.usd", 0.004),
      set("agents.alpha.backend.models.voting", "gpt-4.1-mini"),
      set("coordination.timeouts.human", 1200),
      set("coordination.max_rounds", 99),
      set("coordination.max_answers_per_agent", 3),
    ]);
    expect(overrides).toEqual({
      coordination_overrides: { max_answers_per_agent: 3 },
      needs_write_config: [
        { change: "budget.usd: 0.004", path: "budget.usd", value: 0.004 },
        { change: "agents.alpha.backend.models.voting: gpt-4.1-mini", path: "agents.alpha.backend.models.voting", value: "gpt-4.1-mini" },
        { change: "coordination.timeouts.human: 1200", path: "coordination.timeouts.human", value: 1200 },
        { change: "coordination.max_rounds: 99", path: "coordination.max_rounds", value: 99 },
      ],
    });
  });

  it("gives nothing to pass for no recommendations", () => {
    expect(launchOverrides([])).toEqual({ needs_write_config: [] });
  });
});

describe("compactAnalysis()", () => {
  it("gives the circling run's findings, recommendations and ready launch_run arguments, without metrics", async () => {
    const { result } = await runScripted(circling());
    const compact = compactAnalysis(await analyzeRun(result.log_dir), { evidence: 1 });
    expect(compact).toMatchObject({ run_id: result.run_id, task: "Design a cache for the API", status: "completed", winner: "beta", rounds: 6 });
    expect(compact.findings.map((f) => [f.kind, f.agents, f.rounds])).toEqual([
      ["circling", ["alpha", "gamma"], [2, 3, 4, 5]],
      ["split_on_minor_differences", ["alpha", "gamma"], [2, 3, 4, 5, 6]],
      ["redundant_agent", ["gamma", "alpha"], [1, 2, 3, 4, 5]],
    ]);
    expect(compact.findings[0]!.evidence).toEqual(["round 2: alpha.2 is 83% the same words as alpha.1"]);
    expect(compact.recommendations.map((r) => r.change)).toEqual(["coordination.max_rounds: 2", "coordination.voting: lenient", "--agents alpha,beta"]);
    expect(compact.launch_run).toEqual({ coordination_overrides: { max_rounds: 2, voting: "lenient" }, agents: ["alpha", "beta"] });
    expect(compact.needs_write_config).toBeUndefined();
    expect(compactAnalysis(await analyzeRun(result.log_dir), { clip: 40 }).findings[0]!.summary).toHaveLength(40);
  });
});
