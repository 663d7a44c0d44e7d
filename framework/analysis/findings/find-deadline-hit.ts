import type { Evidence, Recommendation } from "../analysis-report.ts";
import type { Detector } from "../analysis-input.ts";

/** A deadline that cut agents off is given twice as long: the cut-off reply's length is unknown, and doubling covers a model that is slow rather than stuck. */
export const DEADLINE_RAISE_FACTOR = 2;
/** A stalled stream (idle timeout) is given three times as long, enough for a slow local model's first token. */
export const IDLE_RAISE_FACTOR = 3;

const PHASES = ["generation", "voting", "presentation"] as const;

/**
 * `deadline_hit`: any deadline that passed with agents still working (a phase's or the run's,
 * events.jsonl `run.deadline`), and any call ended by its own timeout or an idle stream. Any one
 * counts: each is an answer lost. Recommends the timeout that fired, raised by
 * DEADLINE_RAISE_FACTOR (the idle timeout by IDLE_RAISE_FACTOR).
 *
 * @example
 * findDeadlineHit(input)[0]?.recommendations[0]?.set; // { "coordination.timeouts.generation": 120 }
 */
export const findDeadlineHit: Detector = (input) => {
  const { timeline, settings, status } = input;
  const evidence: Evidence[] = [];
  const agents = new Set<string>();
  const rounds = new Set<number>();
  const raise = new Map<string, { seconds: number; why: string }>();
  const timeouts = settings.timeouts as Record<string, number>;
  for (const d of timeline.deadlines) {
    const key = d.deadline === "run" ? "run" : (PHASES as readonly string[]).includes(d.deadline) ? d.deadline : undefined;
    const limit = key ? timeouts[key]! / 1000 : undefined;
    evidence.push({
      text: `round ${d.round}: the ${d.deadline} deadline${limit ? ` (${limit} s, coordination.timeouts.${key})` : ""} passed with ${d.timed_out.length ? d.timed_out.join(", ") : "nobody"} still working`,
      round: d.round,
      value: limit,
      ...(d.timed_out.length === 1 && { agent: d.timed_out[0] }),
    });
    for (const id of d.timed_out) agents.add(id);
    rounds.add(d.round);
    if (key && limit && d.timed_out.length) raise.set(key, { seconds: Math.ceil(limit * DEADLINE_RAISE_FACTOR), why: `The ${key} deadline of ${limit} s cut off ${d.timed_out.join(", ")} in round ${d.round}.` });
  }
  for (const f of timeline.failures.filter((x) => x.kind === "timeout" || x.kind === "idle_timeout")) {
    const key = f.kind === "timeout" ? "call" : "idle";
    const limit = timeouts[key]! / 1000;
    evidence.push({ text: `round ${f.round}: ${f.agent}'s call ended by its ${key} timeout (${limit} s, coordination.timeouts.${key}): ${f.error}`, agent: f.agent, round: f.round, value: limit });
    agents.add(f.agent);
    rounds.add(f.round);
    const factor = key === "idle" ? IDLE_RAISE_FACTOR : DEADLINE_RAISE_FACTOR;
    raise.set(key, { seconds: Math.ceil(limit * factor), why: `In round ${f.round}, ${f.agent}'s call hit the ${key} timeout of ${limit} s.` });
  }
  if (evidence.length === 0) return [];
  const recommendations: Recommendation[] = [...raise].map(([key, r]) => ({
    change: `coordination.timeouts.${key}: ${r.seconds}`,
    why: r.why,
    expected: `The agents cut off get ${r.seconds} s, so their answers count instead of being lost${key === "run" ? " and the run can finish" : ""}.`,
    set: { [`coordination.timeouts.${key}`]: r.seconds },
  }));
  const names = [...agents];
  return [
    {
      finding: {
        kind: "deadline_hit",
        severity: status === "timeout" ? "critical" : "warning",
        summary: `${evidence.length} deadline${evidence.length === 1 ? "" : "s"} passed with work unfinished${names.length ? ` (${names.join(", ")} cut off)` : ""}${status === "timeout" ? "; the run ended as timeout" : ""}.`,
        evidence,
        agents: names,
        rounds: [...rounds].sort((a, b) => a - b),
      },
      recommendations,
    },
  ];
};
