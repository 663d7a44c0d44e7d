import type { Recommendation } from "./analysis-report.ts";

/** A consensus needs two views to vote between: no merged `--agents` leaves fewer (one agent is `--mode single`, a different run). */
export const MIN_TEAM = 2;

/**
 * The recommendations of all findings as one set that can be applied together: one per config
 * path (for `coordination.max_rounds` the lowest, for other numbers the highest), and one
 * `--agents` that leaves out the agents the recommendations drop, in their order, as long as
 * MIN_TEAM agents remain.
 *
 * @example
 * mergeRecommendations([maxRounds3, maxRounds2, dropGamma, dropBeta], ["alpha", "beta", "gamma"]); // [maxRounds2, dropGamma]: alpha and beta remain
 */
export function mergeRecommendations(recommendations: Recommendation[], allAgents: string[]): Recommendation[] {
  const out: Recommendation[] = [];
  const byPath = new Map<string, Recommendation>();
  const agentRecs: Recommendation[] = [];
  for (const r of recommendations) {
    if (r.agents) {
      agentRecs.push(r);
      continue;
    }
    const [path, value] = Object.entries(r.set ?? {})[0] ?? [r.change, undefined];
    const had = byPath.get(path);
    if (had) {
      const old = had.set?.[path];
      const better = typeof value === "number" && typeof old === "number" ? (path === "coordination.max_rounds" || path === "coordination.max_answers_per_agent" ? value < old : value > old) : false;
      if (better) {
        out[out.indexOf(had)] = r;
        byPath.set(path, r);
      }
      continue;
    }
    byPath.set(path, r);
    out.push(r);
  }
  if (agentRecs.length) {
    // Drops are taken in the findings' order, each only while MIN_TEAM agents would remain.
    const used: Recommendation[] = [];
    let kept = allAgents;
    for (const r of agentRecs) {
      const next = kept.filter((a) => r.agents!.includes(a));
      if (next.length < MIN_TEAM || next.length === kept.length) continue;
      kept = next;
      used.push(r);
    }
    if (used.length === 1) out.push(used[0]!);
    else if (used.length > 1) {
      const dropped = allAgents.filter((a) => !kept.includes(a));
      out.push({
        change: `--agents ${kept.join(",")}`,
        why: used.map((r) => r.why).join(" "),
        expected: `${dropped.length} agents fewer each round (${dropped.join(", ")}): fewer calls and less cost, with the same range of answers.`,
        agents: kept,
      });
    }
  }
  return out;
}
