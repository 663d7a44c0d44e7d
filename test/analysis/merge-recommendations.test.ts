import { describe, expect, it } from "vitest";
import type { Recommendation } from "../../framework/analysis/analysis-report.ts";
import { mergeRecommendations } from "../../framework/analysis/merge-recommendations.ts";

const set = (path: string, value: number | string): Recommendation => ({ change: `${path}: ${value}`, why: "w", expected: "e", set: { [path]: value } });
const keep = (...agents: string[]): Recommendation => ({ change: `--agents ${agents.join(",")}`, why: `keep ${agents.join(",")}.`, expected: "fewer.", agents });

describe("mergeRecommendations()", () => {
  it("keeps one change per config path: the fewest rounds, the longest timeout", () => {
    const merged = mergeRecommendations([set("coordination.max_rounds", 3), set("coordination.timeouts.call", 60), set("coordination.max_rounds", 2), set("coordination.timeouts.call", 90)], ["a", "b"]);
    expect(merged.map((r) => r.change)).toEqual(["coordination.max_rounds: 2", "coordination.timeouts.call: 90"]);
  });

  it("joins the --agents recommendations into one that drops every agent any of them drops", () => {
    const merged = mergeRecommendations([keep("alpha", "beta"), keep("beta", "gamma")], ["alpha", "beta", "gamma"]);
    expect(merged).toEqual([{ change: "--agents beta", why: "keep alpha,beta. keep beta,gamma.", expected: "fewer. fewer.", agents: ["beta"] }]);
  });

  it("keeps the first --agents recommendation when together they would drop everyone", () => {
    expect(mergeRecommendations([keep("alpha"), keep("beta")], ["alpha", "beta"])).toEqual([keep("alpha")]);
  });
});
