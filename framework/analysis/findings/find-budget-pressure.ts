import type { Detector } from "../analysis-input.ts";
import { percent, roundTo, usd } from "../format-figures.ts";

/** Past 80% of its budget one more round of a few agents can cross it: the run is one reword away from `budget_exceeded`. */
export const BUDGET_PRESSURE_SHARE = 0.8;
/** A budget recommended after pressure leaves half again the run's cost as headroom. */
const BUDGET_HEADROOM = 1.5;

/**
 * `budget_pressure`: the run has a budget (`budget.usd`) and spent at least BUDGET_PRESSURE_SHARE
 * of it, or crossed it (`budget_exceeded`). Recommends a budget with BUDGET_HEADROOM over what
 * the run spent.
 *
 * @example
 * findBudgetPressure(input)[0]?.recommendations[0]?.set; // { "budget.usd": 0.06 }
 */
export const findBudgetPressure: Detector = (input) => {
  const { settings, metrics, status, timeline } = input;
  const budget = settings.budgetUsd;
  if (budget === undefined || budget <= 0) return [];
  const spent = metrics.cost_usd;
  const share = spent / budget;
  const exceeded = status === "budget_exceeded";
  if (!exceeded && share < BUDGET_PRESSURE_SHARE) return [];
  const proposed = Math.ceil(spent * BUDGET_HEADROOM * 100) / 100;
  let running = 0;
  const crossing = timeline.calls.find((c) => (running += c.cost_usd ?? 0) > budget);
  return [
    {
      finding: {
        kind: "budget_pressure",
        severity: exceeded ? "critical" : "warning",
        summary: exceeded ? `The run crossed its budget of ${usd(budget)} (spent ${usd(spent)}) and was stopped.` : `The run spent ${usd(spent)} of its ${usd(budget)} budget (${percent(share)}).`,
        evidence: [
          { text: `spent ${usd(spent)} of budget.usd ${usd(budget)} (${percent(share)})`, value: roundTo(share) },
          ...(crossing ? [{ text: `${crossing.agent}'s call in round ${crossing.round} crossed the budget`, agent: crossing.agent, round: crossing.round }] : []),
        ],
        agents: crossing ? [crossing.agent] : [],
        rounds: crossing ? [crossing.round] : [],
      },
      recommendations:
        proposed > budget
          ? [
              {
                change: `budget.usd: ${proposed}`,
                why: `The run needed ${usd(spent)}${exceeded ? " and more to finish" : ""}; a budget of ${usd(budget)} leaves no room for one more round.`,
                expected: `${exceeded ? "The run finishes its rounds" : "The run keeps its headroom"} with ${usd(proposed - spent)} to spare at today's cost.`,
                set: { "budget.usd": proposed },
              },
            ]
          : [],
    },
  ];
};
