import { describe, expect, it } from "vitest";
import type { Recommendation } from "../../framework/analysis/analysis-report.ts";
import { applyRecommendations } from "../../framework/analysis/apply-recommendations.ts";
import { thrownBy } from "../project/temp-dir.ts";

const CONFIG = `# Three scripted agents.
agents:
  - id: alpha # the fast one
    backend: { type: scripted, latency_ms: 50 }
  - id: beta
    backend: { type: scripted }
  # gamma writes long answers
  - id: gamma
    backend:
      type: scripted
coordination:
  max_rounds: 6 # six rounds
  voting: balanced
  timeouts: { run: 600, idle: 30 }
`;

const rec = (over: Partial<Recommendation>): Recommendation => ({ change: "a change", why: "the agents went in circles", expected: "fewer rounds", ...over });

describe("applyRecommendations()", () => {
  it("sets a dotted path in place, keeping every comment and the order of the keys, and says why above the key", () => {
    const { text, changes } = applyRecommendations(CONFIG, [rec({ set: { "coordination.max_rounds": 2 } })], "team.yaml");
    expect(text).toBe(CONFIG.replace("  max_rounds: 6 # six rounds\n", "  # conclave analyze: was 6; the agents went in circles\n  max_rounds: 2 # six rounds\n"));
    expect(changes).toEqual(["coordination.max_rounds: 6 → 2"]);
  });

  it("sets a key of a flow map in the flow map, and creates the maps missing on a path", () => {
    const { text, changes } = applyRecommendations(CONFIG, [rec({ set: { "coordination.timeouts.idle": 180, "coordination.retry.attempts": 1, "budget.usd": 0.5 } })], "team.yaml");
    expect(text).toContain("  timeouts: { run: 600, idle: 180 }\n");
    expect(text.endsWith("  retry:\n    # conclave analyze: not set; the agents went in circles\n    attempts: 1\nbudget:\n  # conclave analyze: not set; the agents went in circles\n  usd: 0.5\n")).toBe(true);
    expect(changes).toEqual(["coordination.timeouts.idle: 30 → 180", "coordination.retry.attempts: (not set) → 1", "budget.usd: (not set) → 0.5"]);
  });

  it("fills a section left empty (`coordination:` with nothing under it)", () => {
    const { text } = applyRecommendations("agents:\n  - id: alpha\ncoordination:\n", [rec({ set: { "coordination.max_rounds": 2 } })], "team.yaml");
    expect(text).toBe("agents:\n  - id: alpha\ncoordination:\n  # conclave analyze: not set; the agents went in circles\n  max_rounds: 2\n");
  });

  it("reaches an agent's settings by its id", () => {
    const { text } = applyRecommendations(CONFIG, [rec({ set: { "agents.gamma.backend.models.voting": "gpt-4.1-nano" } })], "team.yaml");
    expect(text).toContain("  - id: gamma\n    backend:\n      type: scripted\n      models:\n        # conclave analyze: not set; the agents went in circles\n        voting: gpt-4.1-nano\n");
  });

  it("keeps only the agents named, in their order, with the comments of those kept", () => {
    const { text, changes } = applyRecommendations(CONFIG, [rec({ change: "--agents gamma,alpha", agents: ["gamma", "alpha"], why: "beta repeats alpha" })], "team.yaml");
    expect(text).toBe(
      "# Three scripted agents.\n# conclave analyze: removed beta; beta repeats alpha\nagents:\n  # gamma writes long answers\n  - id: gamma\n    backend:\n      type: scripted\n  - id: alpha # the fast one\n    backend: { type: scripted, latency_ms: 50 }\n" +
        CONFIG.slice(CONFIG.indexOf("coordination:")),
    );
    expect(changes).toEqual(["agents: gamma, alpha (beta removed)"]);
  });

  it("keeps the agents every recommendation keeps, and the last value set for a path", () => {
    const { changes } = applyRecommendations(
      CONFIG,
      [rec({ agents: ["alpha", "beta"], set: { "coordination.max_rounds": 3 } }), rec({ agents: ["beta", "gamma", "alpha"], set: { "coordination.max_rounds": 2 } })],
      "team.yaml",
    );
    expect(changes).toEqual(["coordination.max_rounds: 6 → 2", "agents: alpha, beta (gamma removed)"]);
  });

  it("changes nothing for a value that is already so", () => {
    expect(applyRecommendations(CONFIG, [rec({ set: { "coordination.voting": "balanced" } })], "team.yaml")).toEqual({ text: CONFIG, changes: [] });
  });

  it("refuses an agent the config does not have, naming it and the agents it has", () => {
    expect(thrownBy(() => applyRecommendations(CONFIG, [rec({ agents: ["alpha", "delta"] })], "team.yaml")).message).toBe(
      "cannot apply `--agents alpha,delta` to `team.yaml`: it has no agent `delta` (its agents: alpha, beta, gamma). Check that this is the run's config.",
    );
  });

  it("refuses a path through a value that is not a map, and agent lists with no agent in common", () => {
    expect(thrownBy(() => applyRecommendations(CONFIG, [rec({ set: { "coordination.voting.mode": "x" } })], "team.yaml")).message).toBe(
      'cannot apply `coordination.voting.mode` to `team.yaml`: `coordination.voting` is the value "balanced", expected a map of settings. Fix `coordination.voting` in the config, or apply the change by hand.',
    );
    expect(thrownBy(() => applyRecommendations(CONFIG, [rec({ change: "--agents alpha", agents: ["alpha"] }), rec({ change: "--agents beta", agents: ["beta"] })], "team.yaml")).message).toBe(
      "cannot keep only some agents in `team.yaml`: the recommendations keep no agent in common (`--agents alpha`, `--agents beta`). Apply one of them by hand.",
    );
  });
});
