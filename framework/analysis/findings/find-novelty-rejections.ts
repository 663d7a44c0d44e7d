import type { Detector } from "../analysis-input.ts";
import { percent } from "../format-figures.ts";

/** One refusal is the novelty check working; two or more means agents keep re-posting instead of voting, one wasted call (and often a failed turn) each. */
export const NOVELTY_MIN_REJECTIONS = 2;

/**
 * `novelty_rejections`: at least NOVELTY_MIN_REJECTIONS new answers were refused as too similar
 * to an existing one. Recommends `coordination.max_answers_per_agent` at the most answers the
 * refused agents got in, so past that they vote rather than try again.
 *
 * @example
 * findNoveltyRejections(input)[0]?.finding.evidence[0]?.text; // "round 3: gamma's new answer was refused: 95% the same words as answer A (limit 0.9)"
 */
export const findNoveltyRejections: Detector = (input) => {
  const { timeline, settings, metrics } = input;
  const rejections = timeline.rejections;
  if (rejections.length < NOVELTY_MIN_REJECTIONS) return [];
  const agents = [...new Set(rejections.map((r) => r.agent))];
  const failedAfter = timeline.failures.filter((f) => rejections.some((r) => r.agent === f.agent && r.round === f.round)).length;
  const most = Math.max(1, ...agents.map((id) => metrics.by_agent[id]?.answers ?? 0));
  const recommendations =
    most < settings.maxAnswersPerAgent
      ? [
          {
            change: `coordination.max_answers_per_agent: ${most}`,
            why: `${agents.join(", ")} tried ${rejections.length} times to post answers the novelty check refused, after ${most} answer${most === 1 ? "" : "s"} each at most.`,
            expected: `Past ${most} answer${most === 1 ? "" : "s"} an agent may only vote: about ${rejections.length} calls fewer${failedAfter ? ` and ${failedAfter} failed turn${failedAfter === 1 ? "" : "s"} avoided` : ""}.`,
            set: { "coordination.max_answers_per_agent": most },
          },
        ]
      : [];
  return [
    {
      finding: {
        kind: "novelty_rejections",
        severity: failedAfter ? "warning" : "info",
        summary: `${rejections.length} new answers were refused as near-copies (${agents.join(", ")})${failedAfter ? `; ${failedAfter} turn${failedAfter === 1 ? "" : "s"} then failed` : ""}.`,
        evidence: rejections.map((r) => ({
          text: `round ${r.round}: ${r.agent}'s new answer was refused: ${percent(r.similarity)} the same words as answer ${r.label} (limit ${r.limit})`,
          agent: r.agent,
          round: r.round,
          value: r.similarity,
        })),
        agents,
        rounds: [...new Set(rejections.map((r) => r.round))].sort((a, b) => a - b),
      },
      recommendations,
    },
  ];
};
