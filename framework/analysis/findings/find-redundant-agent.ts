import type { Evidence } from "../analysis-report.ts";
import type { Detection, Detector } from "../analysis-input.ts";
import { listOf, percent, roundTo, usd } from "../format-figures.ts";

/** An answer sharing 80% of its words with another agent's says the same thing (see CIRCLING_SIMILARITY): the agent added no view of its own. */
export const REDUNDANT_SIMILARITY = 0.8;

/**
 * `redundant_agent`: an agent that did not win and each of whose answers is near-identical
 * (≥ REDUNDANT_SIMILARITY) to an answer of an agent that stays. Of two twins the later in the
 * config goes. Recommends `--agents` without it.
 *
 * @example
 * findRedundantAgent(input)[0]?.recommendations[0]?.agents; // ["alpha", "beta"]
 */
export const findRedundantAgent: Detector = (input) => {
  const { timeline, winner, metrics } = input;
  if (timeline.agents.length < 2) return [];
  const dropped = new Set<string>();
  const detections: Detection[] = [];
  for (const id of [...timeline.agents].reverse()) {
    if (id === winner) continue;
    const own = timeline.answers.filter((a) => a.agent === id);
    if (own.length === 0) continue;
    const others = timeline.answers.filter((a) => a.agent !== id && !dropped.has(a.agent));
    const evidence: Evidence[] = [];
    for (const a of own) {
      let best: { version: string; agent: string; similarity: number } | undefined;
      // The latest such answer on a tie: the one the agent saw (or wrote beside) when it wrote its own.
      for (const o of [...others].reverse()) {
        if (o.round > a.round) continue;
        const s = input.similarity(a, o);
        if (!best || s > best.similarity) best = { version: o.version, agent: o.agent, similarity: s };
      }
      if (!best || best.similarity < REDUNDANT_SIMILARITY) break;
      evidence.push({ text: `${a.version} (round ${a.round}) is ${percent(best.similarity)} the same words as ${best.version}`, agent: id, round: a.round, answers: [a.version, best.version], value: roundTo(best.similarity) });
    }
    if (evidence.length < own.length) continue;
    dropped.add(id);
    const twins = [...new Set(evidence.map((e) => e.answers![1]!.split(".")[0]!))];
    const m = metrics.by_agent[id]!;
    const kept = timeline.agents.filter((a) => !dropped.has(a));
    detections.push({
      finding: {
        kind: "redundant_agent",
        severity: "warning",
        summary: `${id}'s ${own.length} answer${own.length === 1 ? "" : "s"} repeated ${listOf(twins)}'s almost word for word, and ${id} did not win: it cost ${m.calls} calls and ${usd(m.cost_usd)} for no view of its own.`,
        evidence,
        agents: [id, ...twins],
        rounds: [...new Set(own.map((a) => a.round))],
      },
      recommendations: [
        {
          change: `--agents ${kept.join(",")}`,
          why: `${id} said what ${listOf(twins)} said in every round: a second copy of one view adds calls, not choices.`,
          expected: `One agent fewer each round: about ${m.calls} calls and ${usd(m.cost_usd)} less, with the same range of answers.`,
          agents: kept,
        },
      ],
    });
  }
  return detections;
};
