import type { Evidence, Recommendation } from "../analysis-report.ts";
import type { Detector } from "../analysis-input.ts";
import { seconds } from "../format-figures.ts";

/** A retry or two is the weather of any API; three or more in one run is a pattern (a rate limit, a shared quota, an overloaded provider). */
export const RETRY_STORM_MIN = 3;
/** The first backoff recommended after a storm, in seconds: long enough to leave a per-second rate-limit window. */
const STORM_BASE_DELAY_S = 2;

/**
 * `retry_storm`: at least RETRY_STORM_MIN retried calls in the run. Evidence per agent: how many,
 * the first error, the seconds spent backing off. Recommends a longer first backoff
 * (`coordination.retry.base_delay`), and more attempts when calls failed after every retry.
 *
 * @example
 * findRetryStorm(input)[0]?.finding.agents; // ["beta"]
 */
export const findRetryStorm: Detector = (input) => {
  const { timeline, settings } = input;
  const retries = timeline.retries;
  if (retries.length < RETRY_STORM_MIN) return [];
  const agents = [...new Set(retries.map((r) => r.agent))];
  const backoff = retries.reduce((s, r) => s + r.delay_ms, 0);
  const evidence: Evidence[] = agents.map((id) => {
    const own = retries.filter((r) => r.agent === id);
    const waited = own.reduce((s, r) => s + r.delay_ms, 0);
    return { text: `${id}: ${own.length} retr${own.length === 1 ? "y" : "ies"} (${roundList(own.map((r) => r.round))}), ${seconds(waited)} backing off; first error: ${own[0]!.error}`, agent: id, round: own[0]!.round, value: own.length };
  });
  const rateLimited = retries.filter((r) => /rate.?limit|429/i.test(r.error)).length;
  const exhausted = timeline.failures.filter((f) => ["rate_limit", "overloaded", "server", "connection", "stream"].includes(f.kind));
  for (const f of exhausted) evidence.push({ text: `${f.agent} failed round ${f.round} after its retries: ${f.error}`, agent: f.agent, round: f.round });
  const recommendations: Recommendation[] = [];
  const base = settings.retry.baseDelayMs / 1000;
  const newBase = Math.max(STORM_BASE_DELAY_S, base * 4);
  recommendations.push({
    change: `coordination.retry.base_delay: ${newBase}`,
    why: `${retries.length} calls were retried${rateLimited ? ` (${rateLimited} of them rate limited)` : ""}; with a first backoff of ${base} s the retries land in the same limit window.`,
    expected: `The first retry waits ${newBase} s, doubling after: fewer retries per call and fewer calls failed, for about ${seconds(backoff)} of backoff today.`,
    set: { "coordination.retry.base_delay": newBase },
  });
  if (exhausted.length && settings.retry.retries < 10) {
    const attempts = Math.min(10, settings.retry.retries + 2);
    recommendations.push({
      change: `coordination.retry.attempts: ${attempts}`,
      why: `${exhausted.length} turn${exhausted.length === 1 ? "" : "s"} failed after all ${settings.retry.retries} retries.`,
      expected: `Those turns get ${attempts - settings.retry.retries} more tries before the agent is counted failed for the round.`,
      set: { "coordination.retry.attempts": attempts },
    });
  }
  return [
    {
      finding: {
        kind: "retry_storm",
        severity: exhausted.length ? "critical" : "warning",
        summary: `${retries.length} model calls were retried (${agents.join(", ")}), ${seconds(backoff)} spent backing off${exhausted.length ? `, and ${exhausted.length} turn${exhausted.length === 1 ? "" : "s"} failed after every retry` : ""}.`,
        evidence,
        agents,
        rounds: [...new Set(retries.map((r) => r.round))].sort((a, b) => a - b),
      },
      recommendations,
    },
  ];
};

// "round 1", "rounds 1, 2".
function roundList(rounds: number[]): string {
  const list = [...new Set(rounds)].sort((a, b) => a - b);
  return `round${list.length === 1 ? "" : "s"} ${list.join(", ")}`;
}
