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

  it("joins the --agents recommendations into one that drops every agent they drop, while two remain", () => {
    const merged = mergeRecommendations([keep("alpha", "beta", "delta"), keep("beta", "gamma", "delta")], ["alpha", "beta", "gamma", "delta"]);
    expect(merged).toEqual([{ change: "--agents beta,delta", why: "keep alpha,beta,delta. keep beta,gamma,delta.", expected: "2 agents fewer each round (alpha, gamma): fewer calls and less cost, with the same range of answers.", agents: ["beta", "delta"] }]);
  });

  it("never leaves fewer than two agents: a drop that would is left out, the ones before it kept", () => {
    // gamma ≈ beta and beta ≈ alpha: dropping both would leave alpha alone, no consensus at all.
    expect(mergeRecommendations([keep("alpha", "beta"), keep("alpha", "gamma")], ["alpha", "beta", "gamma"])).toEqual([keep("alpha", "beta")]);
    expect(mergeRecommendations([keep("alpha"), keep("beta")], ["alpha", "beta"])).toEqual([]);
  });
});
