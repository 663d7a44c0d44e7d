import { COORDINATION_OVERRIDES_SCHEMA } from "../runs/run-options.ts";
import type { Recommendation } from "./analysis-report.ts";

type CoordinationOverrides = Record<string, unknown>;

/** A config change launch_run cannot make for one run: it takes `conclave analyze --write-config`. */
export interface NeedsWriteConfig {
  /** The recommendation as a person reads it (`budget.usd: 0.004`). */
  change: string;
  /** The dotted config path (`budget.usd`, `agents.alpha.backend.models.voting`). */
  path: string;
  value: string | number | boolean;
}

/** A report's recommendations as `launch_run` arguments, and what only a new config file can carry. */
export interface LaunchOverrides {
  /** `coordination.*` paths that COORDINATION_OVERRIDES_SCHEMA accepts, nested as launch_run takes them; absent when none. */
  coordination_overrides?: CoordinationOverrides;
  /** The agents to keep (from an `--agents` recommendation); absent when none. */
  agents?: string[];
  /** Every other path (budget.usd, an agent's models, …): "needs --write-config", never dropped. */
  needs_write_config: NeedsWriteConfig[];
}

/**
 * Turns recommendations into the arguments of a `launch_run` that reruns the task with them:
 * each `coordination.<path>` that launch_run's `coordination_overrides` schema accepts (checked
 * against the schema itself, path by path), the agents to keep as `agents`; every path launch_run
 * cannot express for one run (`budget.usd`, `agents.<id>.backend.models.voting`,
 * `coordination.timeouts.human`) is listed in `needs_write_config` for `conclave analyze
 * --write-config`, rather than silently dropped.
 *
 * @example
 * launchOverrides(report.recommendations);
 * // { coordination_overrides: { max_rounds: 2, voting: "lenient" }, agents: ["alpha", "beta"], needs_write_config: [] }
 */
export function launchOverrides(recommendations: Recommendation[]): LaunchOverrides {
  const overrides: CoordinationOverrides = {};
  const needs: NeedsWriteConfig[] = [];
  let agents: string[] | undefined;
  for (const r of recommendations) {
    if (r.agents) agents = [...r.agents];
    for (const [path, value] of Object.entries(r.set ?? {})) {
      const keys = path.split(".");
      if (keys[0] === "coordination" && keys.length > 1 && accepts(keys.slice(1), value)) setIn(overrides, keys.slice(1), value);
      else needs.push({ change: r.change, path, value });
    }
  }
  return {
    ...(Object.keys(overrides).length > 0 && { coordination_overrides: overrides }),
    ...(agents && { agents }),
    needs_write_config: needs,
  };
}

// Whether coordination_overrides takes this one path with this value (its name and its range).
function accepts(keys: string[], value: unknown): boolean {
  const one: CoordinationOverrides = {};
  setIn(one, keys, value);
  return COORDINATION_OVERRIDES_SCHEMA.safeParse(one).success;
}

function setIn(target: CoordinationOverrides, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as CoordinationOverrides;
  node[keys.at(-1)!] = value;
}
