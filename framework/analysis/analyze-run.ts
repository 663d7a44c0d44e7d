import { coordinationSchema } from "../config/config-schema.ts";
import { loadPrices } from "../config/load-prices.ts";
import type { RunSettings } from "../coordination/run-context.ts";
import { jaccard } from "../coordination/novelty.ts";
import { runEvidence, runLiveness } from "../runs/run-liveness.ts";
import type { AnalysisReport, Finding, Recommendation } from "./analysis-report.ts";
import type { AnalysisInput, Detector } from "./analysis-input.ts";
import { findBudgetPressure } from "./findings/find-budget-pressure.ts";
import { findCircling } from "./findings/find-circling.ts";
import { findCostHotspot } from "./findings/find-cost-hotspot.ts";
import { findDeadlineHit } from "./findings/find-deadline-hit.ts";
import { findNoveltyRejections } from "./findings/find-novelty-rejections.ts";
import { findRedundantAgent } from "./findings/find-redundant-agent.ts";
import { findRetryStorm } from "./findings/find-retry-storm.ts";
import { findSlowAgent } from "./findings/find-slow-agent.ts";
import { findSplitOnMinorDifferences } from "./findings/find-split-on-minor-differences.ts";
import { mergeRecommendations } from "./merge-recommendations.ts";
import { readRunFiles, type RunFiles } from "./read-run-files.ts";
import { runMetrics } from "./run-metrics.ts";
import { runTimeline, type TimelineAnswer } from "./run-timeline.ts";

/** Every detector, in the order findings are reported: wasted rounds first, then time, money and failures. */
const DETECTORS: Detector[] = [
  findCircling,
  findSplitOnMinorDifferences,
  findRedundantAgent,
  findSlowAgent,
  findCostHotspot,
  findRetryStorm,
  findDeadlineHit,
  findNoveltyRejections,
  findBudgetPressure,
];

export interface AnalyzeOptions {
  /** Where the price table is found (`CONCLAVE_PRICES`), for a cheaper model's name; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Now, for liveness (a run not finished whose process is gone is `abandoned`); default Date.now(). */
  now?: number;
}

/**
 * Why a run was slow, costly or went in circles, from its contract files only (events.jsonl,
 * status.json, run_description.json, result.json): metrics, findings with their evidence, and
 * the config changes that answer them. Works on finished, failed and abandoned runs; throws a
 * NotARunError for a directory that is not a run.
 *
 * @example
 * const report = await analyzeRun(".conclave/runs/20261202-033655-596269474b84");
 * for (const f of report.findings) console.log(f.kind, f.summary);
 * report.recommendations[0]?.set; // { "coordination.max_rounds": 2 }
 */
export async function analyzeRun(runDir: string, options: AnalyzeOptions = {}): Promise<AnalysisReport> {
  return analyzeRunFiles(readRunFiles(runDir), options);
}

/** analyzeRun() over files already read (the benchmark and analyzeProject() use it). */
export function analyzeRunFiles(files: RunFiles, options: AnalyzeOptions = {}): AnalysisReport {
  const { description, status, result } = files;
  const described = Array.isArray(description.agents) ? (description.agents as { id?: unknown; backend?: unknown; model?: unknown }[]) : [];
  const models: AnalysisInput["models"] = {};
  for (const a of described) if (typeof a.id === "string") models[a.id] = { backend: String(a.backend ?? ""), model: String(a.model ?? "") };
  const timeline = runTimeline(files.events, Object.keys(models));
  const results = (status?.results ?? {}) as Record<string, unknown>;
  const winner = str(result?.winner) ?? str(results.winner) ?? timeline.finished?.winner ?? null;
  const metrics = runMetrics(timeline, winner);
  const similarities = new Map<string, number>();
  const input: AnalysisInput = {
    timeline,
    metrics,
    settings: settingsOf(description),
    status: statusOf(files, options.now),
    winner,
    voteCounts: (record(result?.votes) ?? record(results.votes) ?? {}) as Record<string, number>,
    models,
    prices: pricesOr(options.env ?? process.env),
    similarity: (a: TimelineAnswer, b: TimelineAnswer) => {
      const key = a.version < b.version ? `${a.version}\n${b.version}` : `${b.version}\n${a.version}`;
      let s = similarities.get(key);
      if (s === undefined) similarities.set(key, (s = jaccard(a.content, b.content)));
      return s;
    },
  };
  const findings: Finding[] = [];
  const recommendations: Recommendation[] = [];
  for (const detect of DETECTORS) {
    for (const d of detect(input)) {
      findings.push(d.finding);
      recommendations.push(...d.recommendations);
    }
  }
  return {
    run_id: str(description.run_id) ?? str(result?.run_id) ?? files.dir.split(/[\\/]/).pop()!,
    run_dir: files.dir,
    task: str(description.task) ?? "",
    status: input.status,
    winner,
    config_path: str(description.config_path) ?? null,
    metrics,
    findings,
    recommendations: mergeRecommendations(recommendations, timeline.agents),
  };
}

// The run's status: result.json's; else the last status.json's once final; else running or abandoned, as liveness says.
function statusOf(files: RunFiles, now: number | undefined): string {
  const fromResult = str(files.result?.status);
  if (fromResult) return fromResult;
  const written = str((files.status?.results as Record<string, unknown> | undefined)?.status);
  if (written && written !== "running") return written;
  const liveness = runLiveness(runEvidence(files.status as { meta?: Record<string, unknown> } | undefined, files.description), now === undefined ? {} : { now });
  return liveness.alive ? "running" : "abandoned";
}

// The run's settings as run_description.json recorded them, over the config defaults.
function settingsOf(description: Record<string, unknown>): RunSettings {
  const recorded = (record(record(description.options)?.settings) ?? {}) as Partial<RunSettings>;
  const c = coordinationSchema.parse({});
  const ms = (s: number) => s * 1000;
  return {
    mode: recorded.mode ?? (record(description.options)?.agent_mode === "single" ? "single" : "multi"),
    maxRounds: recorded.maxRounds ?? c.max_rounds,
    refinement: recorded.refinement ?? c.refinement,
    voting: recorded.voting ?? c.voting,
    novelty: recorded.novelty ?? c.novelty,
    maxAnswersPerAgent: recorded.maxAnswersPerAgent ?? c.max_answers_per_agent,
    presentation: recorded.presentation ?? c.presentation,
    timeouts: {
      run: ms(c.timeouts.run),
      generation: ms(c.timeouts.generation),
      voting: ms(c.timeouts.voting),
      presentation: ms(c.timeouts.presentation),
      call: ms(c.timeouts.call),
      idle: ms(c.timeouts.idle),
      ...recorded.timeouts,
    },
    ...(recorded.budgetUsd !== undefined && { budgetUsd: recorded.budgetUsd }),
    retry: { retries: c.retry.attempts, baseDelayMs: ms(c.retry.base_delay), maxDelayMs: ms(c.retry.max_delay), maxRetryAfterMs: ms(c.retry.max_retry_after), ...recorded.retry },
  };
}

// A price table that cannot be read leaves only the cheaper-model recommendation out.
function pricesOr(env: NodeJS.ProcessEnv) {
  try {
    return loadPrices(env);
  } catch {
    return {};
  }
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
