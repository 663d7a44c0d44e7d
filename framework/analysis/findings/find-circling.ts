import type { Evidence } from "../analysis-report.ts";
import type { Detection, Detector } from "../analysis-input.ts";
import { listOf, percent, roundTo, seconds } from "../format-figures.ts";
import type { TimelineAnswer } from "../run-timeline.ts";

/**
 * An answer sharing 80% of its words with one already posted changed a sentence or so: the
 * novelty check refuses only copies above its limit (0.9 by default), so answers in the band
 * 0.8–0.9 pass it while adding nothing a voter would choose differently for.
 */
export const CIRCLING_SIMILARITY = 0.8;
/** One round of near-repeats can be a fair polish; two is a pattern, and each costs a full round of calls. */
export const CIRCLING_MIN_ROUNDS = 2;
/** Voting needs a round after generation: no recommendation goes below 2 rounds. */
const FEWEST_ROUNDS = 2;

/**
 * `circling`: voting rounds whose every new answer is nearly the same (≥ CIRCLING_SIMILARITY)
 * as one posted before, at least CIRCLING_MIN_ROUNDS of them. Recommends `coordination.max_rounds`
 * set to one voting round after the last round that brought something new.
 *
 * @example
 * findCircling(input)[0]?.finding.rounds; // [2, 3, 4, 5]
 */
export const findCircling: Detector = (input) => {
  const { timeline, settings } = input;
  const idle: number[] = [];
  const evidence: Evidence[] = [];
  const agents = new Set<string>();
  let lastProgress = timeline.answers.length ? 1 : 0;
  const rounds = [...new Set(timeline.answers.map((a) => a.round))].sort((a, b) => a - b);
  for (const round of rounds) {
    if (round < 2) continue;
    const posted = timeline.answers.filter((a) => a.round === round);
    const earlier = timeline.answers.filter((a) => a.round < round);
    const repeats = posted.map((a) => [a, closest(a, earlier, input.similarity)] as const);
    if (repeats.every(([, c]) => c && c.similarity >= CIRCLING_SIMILARITY)) {
      idle.push(round);
      for (const [a, c] of repeats) {
        agents.add(a.agent);
        evidence.push({
          text: `round ${round}: ${a.version} is ${percent(c!.similarity)} the same words as ${c!.answer.version}`,
          agent: a.agent,
          round,
          answers: [c!.answer.version, a.version],
          value: roundTo(c!.similarity),
        });
      }
    } else lastProgress = round;
  }
  if (idle.length < CIRCLING_MIN_ROUNDS) return [];

  const detection: Detection = {
    finding: {
      kind: "circling",
      severity: idle.length >= 3 ? "critical" : "warning",
      summary: `${idle.length} voting rounds (${idle.join(", ")}) brought only near-repeats of answers already posted (≥ ${percent(CIRCLING_SIMILARITY)} the same words), by ${listOf([...agents])}.`,
      evidence,
      agents: [...agents],
      rounds: idle,
    },
    recommendations: [],
  };
  const target = Math.max(FEWEST_ROUNDS, lastProgress + 1);
  const ran = Math.max(timeline.rounds, ...idle);
  if (target < ran && target < settings.maxRounds) {
    const after = timeline.turns.filter((t) => t.round > target && t.phase === "voting");
    const saved = after.length ? Math.max(...after.map((t) => t.end)) - Math.min(...after.map((t) => t.start)) : 0;
    const calls = timeline.calls.filter((c) => c.round > target && c.phase === "voting").length;
    detection.recommendations.push({
      change: `coordination.max_rounds: ${target}`,
      why: `The last round that brought a new answer was round ${lastProgress}; rounds ${idle.join(", ")} only reworded answers already there.`,
      expected: `The run stops after round ${target} instead of ${ran}: ${ran - target} fewer round${ran - target === 1 ? "" : "s"}, about ${calls} model calls and ${seconds(saved)} less, with the same answers to choose from.`,
      set: { "coordination.max_rounds": target },
    });
  }
  return [detection];
};

// The earlier answer most like `answer`, and how alike; on a tie its author's previous answer, else the latest.
function closest(answer: TimelineAnswer, earlier: TimelineAnswer[], similarity: (a: TimelineAnswer, b: TimelineAnswer) => number) {
  const previous = earlier.filter((e) => e.agent === answer.agent).at(-1);
  let best: { answer: TimelineAnswer; similarity: number } | undefined = previous && { answer: previous, similarity: similarity(answer, previous) };
  for (const e of [...earlier].reverse()) {
    const s = similarity(answer, e);
    if (!best || s > best.similarity) best = { answer: e, similarity: s };
  }
  return best;
}
