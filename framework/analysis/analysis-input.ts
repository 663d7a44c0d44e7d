import type { PriceTable } from "../config/load-prices.ts";
import type { RunSettings } from "../coordination/run-context.ts";
import type { Finding, Recommendation, RunMetrics } from "./analysis-report.ts";
import type { RunTimeline, TimelineAnswer } from "./run-timeline.ts";

/** What every finding detector reads: the run's timeline, its metrics and settings, and how it ended. */
export interface AnalysisInput {
  timeline: RunTimeline;
  metrics: RunMetrics;
  /** The run's settings (run_description.json), the defaults filling what an older run did not record. */
  settings: RunSettings;
  status: string;
  winner: string | null;
  /** Valid votes per answer version at the end (result.json or status.json). */
  voteCounts: Record<string, number>;
  /** Each agent's backend and model (run_description.json). */
  models: Record<string, { backend: string; model: string }>;
  prices: PriceTable;
  /** Word-set Jaccard similarity of two answers (coordination/novelty.ts), computed once per pair. */
  similarity(a: TimelineAnswer, b: TimelineAnswer): number;
}

/** A finding and the config changes that answer it. */
export interface Detection {
  finding: Finding;
  recommendations: Recommendation[];
}

/** One finding kind's rule over a run. */
export type Detector = (input: AnalysisInput) => Detection[];
