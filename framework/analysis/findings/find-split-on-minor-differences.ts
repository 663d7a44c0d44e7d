import type { Evidence } from "../analysis-report.ts";
import type { Detector } from "../analysis-input.ts";
import { listOf, percent, roundTo } from "../format-figures.ts";
import type { TimelineAnswer } from "../run-timeline.ts";

/** Two agents' answers sharing 80% of their words say the same thing (the band the novelty check lets through; see CIRCLING_SIMILARITY). */
export const SPLIT_SIMILARITY = 0.8;
/** One round in which both authors of twin answers revise rather than vote is ordinary refinement; the second round is the split. */
export const SPLIT_MIN_ROUNDS = 2;

/**
 * `split_on_minor_differences`: two agents hold near-identical answers (≥ SPLIT_SIMILARITY) going
 * into a voting round, and neither votes for the other's: each posts another near-copy or votes
 * elsewhere, in at least SPLIT_MIN_ROUNDS rounds. Recommends lenient voting, under which an agent
 * may vote for its own answer instead of defending it with another version.
 *
 * @example
 * findSplitOnMinorDifferences(input)[0]?.finding.agents; // ["alpha", "gamma"]
 */
export const findSplitOnMinorDifferences: Detector = (input) => {
  const { timeline, settings } = input;
  const splitRounds = new Set<number>();
  const agents = new Set<string>();
  const evidence: Evidence[] = [];
  const voteRounds = [...new Set([...timeline.votes.map((v) => v.round), ...timeline.answers.map((a) => a.round)])].filter((r) => r >= 2).sort((a, b) => a - b);
  for (const round of voteRounds) {
    const current = currentBefore(timeline.answers, round);
    for (let i = 0; i < current.length; i++) {
      for (let j = i + 1; j < current.length; j++) {
        const x = current[i]!;
        const y = current[j]!;
        const similarity = input.similarity(x, y);
        if (similarity < SPLIT_SIMILARITY) continue;
        const xDid = actionOf(timeline, x.agent, round);
        const yDid = actionOf(timeline, y.agent, round);
        // Split: neither backed the twin (a vote for it), and each did something (not cut off).
        if (!xDid || !yDid || xDid.votedFor === y.version || yDid.votedFor === x.version) continue;
        splitRounds.add(round);
        agents.add(x.agent).add(y.agent);
        evidence.push({
          text: `round ${round}: ${x.version} and ${y.version} are ${percent(similarity)} the same words; ${x.agent} ${xDid.text}, ${y.agent} ${yDid.text}`,
          round,
          answers: [x.version, y.version],
          value: roundTo(similarity),
        });
      }
    }
  }
  const rounds = [...splitRounds].sort((a, b) => a - b);
  if (rounds.length < SPLIT_MIN_ROUNDS) return [];
  const names = [...agents];
  return [
    {
      finding: {
        kind: "split_on_minor_differences",
        severity: "warning",
        summary: `${listOf(names)} held near-identical answers, yet in ${rounds.length} rounds (${rounds.join(", ")}) none voted for another's: each posted another version or voted elsewhere.`,
        evidence,
        agents: names,
        rounds,
      },
      recommendations:
        settings.voting === "lenient"
          ? []
          : [
              {
                change: "coordination.voting: lenient",
                why: `Under ${settings.voting} voting an agent may not vote for its own answer, so ${listOf(names)} could keep their near-identical answers only by posting new versions.`,
                expected: "Each agent may vote for the answer it already holds, so a round with nothing new ends voting instead of bringing another near-copy.",
                set: { "coordination.voting": "lenient" },
              },
            ],
    },
  ];
};

// Each agent's latest answer posted before `round`.
function currentBefore(answers: TimelineAnswer[], round: number): TimelineAnswer[] {
  const latest = new Map<string, TimelineAnswer>();
  for (const a of answers) if (a.round < round) latest.set(a.agent, a);
  return [...latest.values()];
}

// What `agent` did in `round`: a vote (for which version) or a new answer.
function actionOf(timeline: { answers: TimelineAnswer[]; votes: { voter: string; round: number; target: string }[] }, agent: string, round: number) {
  const vote = timeline.votes.find((v) => v.voter === agent && v.round === round);
  if (vote) return { votedFor: vote.target, text: `voted for ${vote.target}` };
  const answer = timeline.answers.find((a) => a.agent === agent && a.round === round);
  if (answer) return { votedFor: undefined, text: `posted ${answer.version}` };
  return undefined;
}
