/**
 * The report of `conclave analyze` (contract: `--json` prints exactly this shape).
 * Built from a run's contract files only (events.jsonl, status.json, run_description.json,
 * result.json), so it works on runs of any version that wrote them, and on abandoned runs.
 */

/** The kinds of finding, each a way a run wasted time or money. */
export const FINDING_KINDS = [
  "circling",
  "split_on_minor_differences",
  "redundant_agent",
  "slow_agent",
  "cost_hotspot",
  "retry_storm",
  "deadline_hit",
  "novelty_rejections",
  "budget_pressure",
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];

export type Severity = "info" | "warning" | "critical";

/** One piece of evidence: a line a person can read, and where in the run it comes from. */
export interface Evidence {
  /** e.g. "alpha answer 2 and answer 3 are 97% the same words". */
  text: string;
  agent?: string;
  round?: number;
  /** Answer ids as the events name them (`alpha.2`). */
  answers?: string[];
  /** Similarity 0..1, seconds, USD, a count: the figure the text states. */
  value?: number;
}

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** One sentence: what happened and what it cost. */
  summary: string;
  evidence: Evidence[];
  agents: string[];
  rounds: number[];
}

/**
 * A concrete config change. `change` is what a person reads and types
 * (`coordination.max_rounds: 2`, `--agents alpha,beta`); `set` is the same change as dotted
 * config paths → values, which `--write-config` applies to a copy of the run's config (a path
 * through `agents` names the agent by its id: `agents.alpha.backend.models.voting`, and maps on
 * the way that the config lacks are made); `agents` (when given) is the agent list to keep.
 */
export interface Recommendation {
  change: string;
  why: string;
  expected: string;
  set?: Record<string, string | number | boolean>;
  agents?: string[];
}

export interface AgentMetrics {
  tokens: { input: number; output: number; cached: number };
  cost_usd: number;
  /** Seconds per model call: median and the slowest. */
  latency_s: { median: number; max: number };
  calls: number;
  answers: number;
  votes: number;
  /** 1 if this agent won the run, else 0. */
  wins: number;
  retries: number;
  failures: number;
  timeouts: number;
}

export interface RunMetrics {
  rounds: number;
  calls: number;
  /** Answers an agent posted after its first (restarts of its work). */
  restarts: number;
  seconds_by_phase: Record<string, number>;
  duration_s: number;
  cost_usd: number;
  by_agent: Record<string, AgentMetrics>;
}

export interface AnalysisReport {
  run_id: string;
  run_dir: string;
  task: string;
  /** The run's final status (`completed`, `timeout`, …, or `abandoned` / `running` from liveness). */
  status: string;
  winner: string | null;
  config_path: string | null;
  metrics: RunMetrics;
  findings: Finding[];
  recommendations: Recommendation[];
}

/** One run's line in a project report. */
export interface ProjectRunLine {
  run_id: string;
  step: string | null;
  workflow: string | null;
  status: string;
  cost_usd: number;
  duration_s: number;
  calls: number;
  findings: FindingKind[];
}

export interface ProjectStepTotals {
  step: string;
  runs: number;
  cost_usd: number;
  duration_s: number;
  calls: number;
}

export interface ProjectReport {
  project_dir: string;
  runs: ProjectRunLine[];
  /** By workflow step, the costliest first. */
  steps: ProjectStepTotals[];
  totals: { runs: number; cost_usd: number; duration_s: number; calls: number };
  /** Run ids whose status is abandoned, failed, timeout, interrupted, cancelled or budget_exceeded. */
  unfinished: string[];
}
