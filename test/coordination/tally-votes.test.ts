import { describe, expect, it } from "vitest";
import { labelFor, type Answer, type AgentState, type RunContext } from "../../framework/coordination/run-context.ts";
import { tallyVotes } from "../../framework/coordination/tally-votes.ts";

type TallyInput = Pick<RunContext, "agents" | "agentStates" | "answers">;

interface Posted {
  agent: string;
  round?: number;
  at?: number;
}

// A minimal context: agents in config order, the answers they posted (in order, so k counts up
// per agent), who votes for which version, and what each agent has cost so far.
function context(
  agentIds: string[],
  posted: Posted[],
  options: { votes?: Record<string, string>; cost?: Record<string, number | null> } = {},
): TallyInput {
  const agents = agentIds.map((id, i) => ({ id, label: labelFor(i) }));
  const answers: Answer[] = [];
  const agentStates: Record<string, AgentState> = {};
  for (const agent of agents) {
    agentStates[agent.id] = {
      status: "answered",
      answerCount: 0,
      voteCount: 0,
      out: false,
      tokens: { input_tokens: 0, output_tokens: 0, cached_tokens: 0 },
      costUsd: options.cost?.[agent.id] ?? 0,
      llmCalls: 0,
      retries: 0,
      timesRestarted: 0,
    };
  }
  posted.forEach((p, i) => {
    const agent = agents.find((a) => a.id === p.agent)!;
    const state = agentStates[p.agent]!;
    const k = ++state.answerCount;
    const version = `${p.agent}.${k}`;
    answers.push({ version, agentId: p.agent, label: agent.label, k, round: p.round ?? 1, at: p.at ?? i * 10, content: `answer ${version}` });
    state.latestAnswer = version;
  });
  for (const [voter, target] of Object.entries(options.votes ?? {})) {
    agentStates[voter]!.vote = target;
    agentStates[voter]!.voteCount = 1;
  }
  return { agents, agentStates, answers };
}

describe("tallyVotes()", () => {
  it("picks the answer with most votes and says how many of how many", () => {
    const ctx = context(["alpha", "beta", "gamma"], [{ agent: "alpha" }, { agent: "beta" }, { agent: "gamma" }], {
      votes: { alpha: "beta.1", beta: "alpha.1", gamma: "beta.1" },
    });
    expect(tallyVotes(ctx)).toEqual({
      winner: "beta",
      winnerVersion: "beta.1",
      reason: "2 of 3 votes",
      counts: { "alpha.1": 1, "beta.1": 2, "gamma.1": 0 },
    });
  });

  it("says 1 of 1 vote for a single vote", () => {
    const ctx = context(["alpha", "beta"], [{ agent: "alpha" }, { agent: "beta" }], { votes: { alpha: "beta.1" } });
    expect(tallyVotes(ctx)).toMatchObject({ winner: "beta", winnerVersion: "beta.1", reason: "1 of 1 vote" });
  });

  it("picks the majority even when the majority answer was posted last", () => {
    const ctx = context(["alpha", "beta", "gamma"], [{ agent: "alpha", at: 1 }, { agent: "beta", at: 2 }, { agent: "gamma", at: 3 }], {
      votes: { alpha: "gamma.1", beta: "gamma.1", gamma: "alpha.1" },
    });
    expect(tallyVotes(ctx)).toMatchObject({ winner: "gamma", reason: "2 of 3 votes" });
  });

  it("breaks a tie by the answer posted in the earlier round", () => {
    const ctx = context(["alpha", "beta"], [{ agent: "alpha", round: 2, at: 5 }, { agent: "beta", round: 1, at: 50 }], {
      votes: { alpha: "beta.1", beta: "alpha.1" },
    });
    expect(tallyVotes(ctx)).toEqual({
      winner: "beta",
      winnerVersion: "beta.1",
      reason: "tie 1-1 broken by earliest answer",
      counts: { "alpha.1": 1, "beta.1": 1 },
    });
  });

  it("breaks a tie within one round by the answer posted at the earlier time", () => {
    const ctx = context(["alpha", "beta"], [{ agent: "alpha", at: 300 }, { agent: "beta", at: 200 }], {
      votes: { alpha: "beta.1", beta: "alpha.1" },
    });
    expect(tallyVotes(ctx)).toMatchObject({ winner: "beta", reason: "tie 1-1 broken by earliest answer" });
  });

  it("breaks a tie posted at the same time by the lower cost", () => {
    const ctx = context(["alpha", "beta"], [{ agent: "alpha", at: 100 }, { agent: "beta", at: 100 }], {
      votes: { alpha: "beta.1", beta: "alpha.1" },
      cost: { alpha: 0.02, beta: 0.01 },
    });
    expect(tallyVotes(ctx)).toMatchObject({ winner: "beta", winnerVersion: "beta.1", reason: "tie 1-1 broken by lower cost" });
  });

  it("breaks a tie of equal time and cost by agent order in the config", () => {
    const ctx = context(["alpha", "beta"], [{ agent: "beta", at: 100 }, { agent: "alpha", at: 100 }], {
      votes: { alpha: "beta.1", beta: "alpha.1" },
      cost: { alpha: 0.01, beta: 0.01 },
    });
    expect(tallyVotes(ctx)).toMatchObject({ winner: "alpha", winnerVersion: "alpha.1", reason: "tie 1-1 broken by agent order" });
  });

  it("names every tied count in a three-way tie", () => {
    const ctx = context(["alpha", "beta", "gamma"], [{ agent: "alpha", at: 30 }, { agent: "beta", at: 10 }, { agent: "gamma", at: 20 }], {
      votes: { alpha: "beta.1", beta: "gamma.1", gamma: "alpha.1" },
    });
    expect(tallyVotes(ctx)).toMatchObject({ winner: "beta", reason: "tie 1-1-1 broken by earliest answer" });
  });

  it("ignores the tie-break rules for answers that are not tied at the top", () => {
    // gamma's answer is the earliest, but it has fewer votes than the two tied leaders.
    const ctx = context(
      ["alpha", "beta", "gamma", "delta"],
      [{ agent: "gamma", at: 1 }, { agent: "beta", at: 2 }, { agent: "alpha", at: 3 }, { agent: "delta", at: 4 }],
      { votes: { alpha: "beta.1", beta: "alpha.1", gamma: "alpha.1", delta: "beta.1" } },
    );
    expect(tallyVotes(ctx)).toMatchObject({ winner: "beta", reason: "tie 2-2 broken by earliest answer" });
  });

  it("voids a vote for a version its author has since replaced", () => {
    // beta votes for alpha.1, then alpha posts alpha.2: beta's vote no longer counts.
    const ctx = context(["alpha", "beta", "gamma"], [{ agent: "alpha" }, { agent: "beta" }, { agent: "gamma" }, { agent: "alpha", round: 2 }], {
      votes: { beta: "alpha.1", gamma: "beta.1" },
    });
    expect(tallyVotes(ctx)).toEqual({
      winner: "beta",
      winnerVersion: "beta.1",
      reason: "1 of 1 vote",
      counts: { "alpha.2": 0, "beta.1": 1, "gamma.1": 0 },
    });
  });

  it("counts a vote for the author's latest version", () => {
    const ctx = context(["alpha", "beta", "gamma"], [{ agent: "alpha" }, { agent: "beta" }, { agent: "alpha", round: 2 }], {
      votes: { beta: "alpha.2", gamma: "alpha.2" },
    });
    expect(tallyVotes(ctx)).toMatchObject({ winner: "alpha", winnerVersion: "alpha.2", reason: "2 of 2 votes", counts: { "alpha.2": 2, "beta.1": 0 } });
  });

  it("takes the earliest answer when nobody voted, and says so", () => {
    const ctx = context(["alpha", "beta", "gamma"], [{ agent: "alpha", at: 30 }, { agent: "beta", at: 10 }, { agent: "gamma", at: 20 }]);
    expect(tallyVotes(ctx)).toEqual({
      winner: "beta",
      winnerVersion: "beta.1",
      reason: "no votes; earliest answer",
      counts: { "alpha.1": 0, "beta.1": 0, "gamma.1": 0 },
    });
  });

  it("takes the only answer when there is one and no votes", () => {
    const ctx = context(["alpha", "beta"], [{ agent: "beta" }]);
    expect(tallyVotes(ctx)).toEqual({ winner: "beta", winnerVersion: "beta.1", reason: "only answer; no votes", counts: { "beta.1": 0 } });
  });

  it("has no winner when nobody answered", () => {
    const ctx = context(["alpha", "beta"], []);
    const tally = tallyVotes(ctx);
    expect(tally.winner).toBeUndefined();
    expect(tally.winnerVersion).toBeUndefined();
    expect(tally).toEqual({ reason: "no answers", counts: {} });
  });
});
