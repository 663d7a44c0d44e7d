import type { Recommendation } from "./analysis-report.ts";

/**
 * The recommendations of all findings as one set that can be applied together: one per config
 * path (for `coordination.max_rounds` the lowest, for other numbers the highest), and one
 * `--agents` that leaves out every agent any recommendation drops, if anyone is left.
 *
 * @example
 * mergeRecommendations([maxRounds3, maxRounds2, dropGamma, dropAlpha]); // [maxRounds2, "--agents beta"]
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
    const dropped = new Set(allAgents.filter((a) => agentRecs.some((r) => !r.agents!.includes(a))));
    const kept = allAgents.filter((a) => !dropped.has(a));
    if (kept.length > 0) {
      out.push(
        agentRecs.length === 1
          ? agentRecs[0]!
          : { change: `--agents ${kept.join(",")}`, why: agentRecs.map((r) => r.why).join(" "), expected: agentRecs.map((r) => r.expected).join(" "), agents: kept },
      );
    } else out.push(agentRecs[0]!);
  }
  return out;
}
