import { currentAnswers, type Answer, type RunContext } from "./run-context.ts";

export interface Tally {
  winner?: string;
  winnerVersion?: string;
  reason: string;
  /** Valid votes per answer version. */
  counts: Record<string, number>;
}

/**
 * Picks the winner (docs/architecture.md §3, a contract): most valid votes; ties → the answer posted earliest
 * (round, then time) → lower cost → agent order. A vote is valid while the version it names is
 * still its author's latest. No votes at all → the earliest answer, and the reason says so.
 *
 * @example
 * tallyVotes(context) // { winner: "beta", winnerVersion: "beta.1", reason: "2 of 3 votes", counts: { "beta.1": 2, "alpha.1": 1 } }
 */
export function tallyVotes(context: Pick<RunContext, "agents" | "agentStates" | "answers">): Tally {
  const answers = currentAnswers(context);
  const counts: Record<string, number> = Object.fromEntries(answers.map((a) => [a.version, 0]));
  let total = 0;
  for (const agent of context.agents) {
    const target = context.agentStates[agent.id]?.vote;
    if (target !== undefined && target in counts) {
      counts[target]!++;
      total++;
    }
  }
  if (answers.length === 0) return { reason: "no answers", counts };

  const order = new Map(context.agents.map((a, i) => [a.id, i]));
  const cost = (a: Answer) => context.agentStates[a.agentId]?.costUsd ?? null;
  const rules: [string, (x: Answer, y: Answer) => number][] = [
    ["earliest answer", (x, y) => x.round - y.round || x.at - y.at],
    // An unknown cost (a model without a price) cannot break a tie.
    ["lower cost", (x, y) => (cost(x) === null || cost(y) === null ? 0 : cost(x)! - cost(y)!)],
    ["agent order", (x, y) => order.get(x.agentId)! - order.get(y.agentId)!],
  ];
  const ranked = [...answers].sort((x, y) => {
    const byVotes = counts[y.version]! - counts[x.version]!;
    if (byVotes !== 0) return byVotes;
    for (const [, rule] of rules) {
      const d = rule(x, y);
      if (d !== 0) return d;
    }
    return 0;
  });
  const [first, second] = ranked as [Answer, Answer | undefined];
  const result = (reason: string): Tally => ({ winner: first.agentId, winnerVersion: first.version, reason, counts });

  const top = counts[first.version]!;
  if (total === 0) return result(answers.length === 1 ? "only answer; no votes" : "no votes; earliest answer");
  const tied = ranked.filter((a) => counts[a.version] === top);
  if (tied.length === 1 || !second) return result(`${top} of ${total} vote${total === 1 ? "" : "s"}`);
  const decisive = rules.find(([, rule]) => rule(first, second) !== 0)?.[0] ?? "agent order";
  return result(`tie ${tied.map(() => top).join("-")} broken by ${decisive}`);
}
