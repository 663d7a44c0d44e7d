import type { Recommendation } from "../analysis-report.ts";
import type { Detector } from "../analysis-input.ts";
import { cheaperModel } from "../cheaper-model.ts";
import { percent, roundTo, usd } from "../format-figures.ts";
import { costOf } from "../../models/cost.ts";

/** Half the run's money on one agent that did not win is a choice worth making on purpose. */
export const COST_SHARE = 0.5;
/** …and at least 1.5× its fair share (1/n of agents), so two equal agents at 50% each are not a hotspot. */
export const COST_OVER_FAIR_SHARE = 1.5;

/**
 * `cost_hotspot`: an agent that did not win spent at least COST_SHARE of the run's cost and at
 * least COST_OVER_FAIR_SHARE × 1/n. Recommends `--agents` without it and, when its voting calls
 * cost something and the price table has a cheaper model of its family, that model for voting.
 *
 * @example
 * findCostHotspot(input)[0]?.finding.evidence[0]?.value; // 0.71
 */
export const findCostHotspot: Detector = (input) => {
  const { timeline, metrics, winner } = input;
  const total = metrics.cost_usd;
  const n = timeline.agents.length;
  if (n < 2 || total <= 0) return [];
  const out = [];
  for (const id of timeline.agents) {
    const m = metrics.by_agent[id]!;
    const share = m.cost_usd / total;
    if (id === winner || share < COST_SHARE || share < COST_OVER_FAIR_SHARE / n) continue;
    const received = Object.entries(input.voteCounts).filter(([v]) => v.startsWith(`${id}.`)).reduce((s, [, c]) => s + c, 0);
    const kept = timeline.agents.filter((a) => a !== id);
    const recommendations: Recommendation[] = [
      {
        change: `--agents ${kept.join(",")}`,
        why: `${id} spent ${percent(share)} of the run's cost and won nothing (its answers hold ${received} valid vote${received === 1 ? "" : "s"}).`,
        expected: `The run costs about ${usd(total - m.cost_usd)} instead of ${usd(total)} (${percent(share)} less).`,
        agents: kept,
      },
    ];
    const voting = timeline.calls.filter((c) => c.agent === id && c.phase === "voting");
    const votingCost = voting.reduce((s, c) => s + (c.cost_usd ?? 0), 0);
    const model = voting[0]?.model ?? input.models[id]?.model;
    const cheaper = model ? cheaperModel(model, input.prices) : undefined;
    if (votingCost > 0 && cheaper) {
      const then = voting.reduce((s, c) => s + costOf(cheaper.price, { input_tokens: c.tokens.input, output_tokens: c.tokens.output, cached_tokens: c.tokens.cached }), 0);
      recommendations.push({
        change: `agents.${id}.backend.models.voting: ${cheaper.model}`,
        why: `${id}'s ${voting.length} voting call${voting.length === 1 ? "" : "s"} on ${model} cost ${usd(votingCost)}; choosing among answers needs less than writing one.`,
        expected: `At ${cheaper.model}'s prices those calls cost about ${usd(then)} instead of ${usd(votingCost)}.`,
        set: { [`agents.${id}.backend.models.voting`]: cheaper.model },
      });
    }
    out.push({
      finding: {
        kind: "cost_hotspot" as const,
        severity: share >= 0.7 ? ("critical" as const) : ("warning" as const),
        summary: `${id} cost ${usd(m.cost_usd)} of ${usd(total)} (${percent(share)}) and did not win.`,
        evidence: [
          { text: `${id} spent ${usd(m.cost_usd)} of the run's ${usd(total)} (${percent(share)}) on ${m.calls} calls${model ? ` with ${model}` : ""}`, agent: id, value: roundTo(share) },
          { text: `${id} won 0 of 1 runs; its answers hold ${received} of the ${Object.values(input.voteCounts).reduce((s, c) => s + c, 0)} valid votes`, agent: id, value: received },
        ],
        agents: [id],
        rounds: [...new Set(timeline.calls.filter((c) => c.agent === id).map((c) => c.round))],
      },
      recommendations,
    });
  }
  return out;
};
