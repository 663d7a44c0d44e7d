import type { Evidence, Recommendation } from "../analysis-report.ts";
import type { Detector } from "../analysis-input.ts";
import { median, percent, roundTo, seconds } from "../format-figures.ts";
import { IDLE_RAISE_FACTOR } from "./find-deadline-hit.ts";

/** A model three times slower than the others decides every round's length on its own; ordinary differences between providers stay under 2×. */
export const SLOW_FACTOR = 3;
/** Below a quarter of the run's time, the others' wait is not worth an agent's view. */
export const SLOW_MIN_WAIT_SHARE = 0.25;

/**
 * `slow_agent`: one agent is the run's critical path: its median call takes at least
 * SLOW_FACTOR × the others', it finishes last in most rounds, and the others wait for it at
 * least SLOW_MIN_WAIT_SHARE of the run. Recommends `--agents` without it when it did not win,
 * and a longer `coordination.timeouts.idle` when its streams stalled.
 *
 * @example
 * findSlowAgent(input)[0]?.finding.agents; // ["alpha"]
 */
export const findSlowAgent: Detector = (input) => {
  const { timeline, settings, winner } = input;
  if (timeline.agents.length < 2 || timeline.end <= 0) return [];
  const latency = (id: string) => median(timeline.calls.filter((c) => c.agent === id).map((c) => c.end - c.start));
  const segments = new Map<string, typeof timeline.turns>();
  for (const t of timeline.turns) {
    const key = `${t.phase}:${t.round}`;
    const list = segments.get(key);
    if (list) list.push(t);
    else segments.set(key, [t]);
  }
  const out = [];
  for (const id of timeline.agents) {
    const mine = latency(id);
    const others = timeline.calls.filter((c) => c.agent !== id).map((c) => c.end - c.start);
    const theirs = median(others);
    if (!others.length || mine <= 0 || mine < SLOW_FACTOR * Math.max(theirs, 1)) continue;
    // Per round (a turn segment with others in it): how long after the last other agent this one finished.
    const evidence: Evidence[] = [];
    let waited = 0;
    let shared = 0;
    let last = 0;
    for (const turns of segments.values()) {
      const own = turns.find((t) => t.agent === id);
      const rest = turns.filter((t) => t.agent !== id);
      if (!own || rest.length === 0) continue;
      shared++;
      const othersDone = Math.max(...rest.map((t) => t.end));
      if (own.end <= othersDone) continue;
      last++;
      waited += own.end - othersDone;
      evidence.push({ text: `round ${own.round} (${own.phase}): ${id} finished ${seconds(own.end - othersDone)} after the last other agent`, agent: id, round: own.round, value: roundTo((own.end - othersDone) / 1000) });
    }
    if (shared === 0 || last * 2 < shared || waited < SLOW_MIN_WAIT_SHARE * timeline.end) continue;
    evidence.unshift({ text: `${id}'s median call took ${seconds(mine)}; the other agents' ${seconds(theirs)} (${roundTo(mine / Math.max(theirs, 1), 1)}×)`, agent: id, value: roundTo(mine / 1000) });
    const recommendations: Recommendation[] = [];
    const kept = timeline.agents.filter((a) => a !== id);
    if (id !== winner) {
      recommendations.push({
        change: `--agents ${kept.join(",")}`,
        why: `${id} finished last in ${last} of ${shared} rounds and did not win; the others waited ${seconds(waited)} for it.`,
        expected: `Each round ends when the others are done: about ${seconds(waited)} of ${seconds(timeline.end)} less (${percent(waited / timeline.end)}).`,
        agents: kept,
      });
    }
    const stalls = timeline.failures.filter((f) => f.agent === id && f.kind === "idle_timeout").length + timeline.retries.filter((r) => r.agent === id && /idle|stall/i.test(r.error)).length;
    if (stalls > 0) {
      const idle = Math.ceil((IDLE_RAISE_FACTOR * settings.timeouts.idle) / 1000);
      recommendations.push({
        change: `coordination.timeouts.idle: ${idle}`,
        why: `${id}'s stream stalled past the idle timeout of ${settings.timeouts.idle / 1000} s ${stalls} time${stalls === 1 ? "" : "s"}: a slow model can be silent that long before its first token.`,
        expected: `${id}'s calls are no longer cut off and retried: fewer wasted calls, and its rounds end sooner.`,
        set: { "coordination.timeouts.idle": idle },
      });
    }
    out.push({
      finding: {
        kind: "slow_agent" as const,
        severity: waited >= 0.5 * timeline.end ? ("critical" as const) : ("warning" as const),
        summary: `${id} was the critical path: its calls took ${roundTo(mine / Math.max(theirs, 1), 1)}× the others', it finished last in ${last} of ${shared} rounds, and the others waited ${seconds(waited)} (${percent(waited / timeline.end)} of the run).`,
        evidence,
        agents: [id],
        rounds: [...new Set(evidence.flatMap((e) => (e.round === undefined ? [] : [e.round])))],
      },
      recommendations,
    });
  }
  return out;
};
