import { loadPrices } from "../config/load-prices.ts";
import { costOf, priceOf } from "../models/cost.ts";
import { createModelClient } from "../models/create-model-client.ts";
import { estimateTokens } from "../models/estimate-tokens.ts";
import { modelFor } from "../models/model-for.ts";
import { normalizeRunOptions, type RunOptions } from "./run-options.ts";

/** What a run will do, shown before it starts so a person can approve it. */
export interface RunCard {
  task: string;
  agents: { id: string; backend: string; model: string }[];
  mode: "single" | "multi";
  maxRounds: number;
  /** Paths the winner's changes will be written back to. */
  writes: string[];
  /** Estimated tokens and USD (null when a model has no price). */
  estimate: { tokens: number; usd: number | null };
}

// Rough sizes of what agents write: an answer, a vote, a presented final answer.
const ANSWER_TOKENS = 700;
const VOTE_TOKENS = 100;
const PROTOCOL_TOKENS = 300;

/**
 * Describes a run without starting it: its agents and models, mode, the paths it may write,
 * and an estimate of tokens and cost (generation, two voting rounds at most, the presentation).
 * Throws ConfigError on bad options, as run() would.
 *
 * @example
 * const card = describeRun({ task: "Plan the migration", config: "configs/openai.yaml" });
 * card.estimate.usd // 0.0123
 */
export function describeRun(options: RunOptions<unknown>): RunCard {
  const env = options.env ?? process.env;
  const normalized = normalizeRunOptions(options);
  const { settings } = normalized;
  const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
  const agents = settings.mode === "single" ? normalized.agents.slice(0, 1) : normalized.agents;
  const prices = loadPrices(env);
  const n = agents.length;
  const shared = estimateTokens(`${normalized.task}\n${normalized.context ?? ""}`) + PROTOCOL_TOKENS;
  const votingRounds = settings.mode === "single" ? 0 : Math.min(2, settings.maxRounds - 1);
  let tokens = 0;
  let usd: number | null = 0;
  const cards = agents.map((agent, i) => {
    const client = createModelClient(agent, { clock, env, idleMs: settings.timeouts.idle, ...(options.dryRun && { forceScripted: true }) });
    const base = shared + estimateTokens(agent.system ?? "");
    const calls: { purpose: "generation" | "voting" | "presentation"; input: number; output: number }[] = [{ purpose: "generation", input: base, output: ANSWER_TOKENS }];
    for (let r = 0; r < votingRounds; r++) calls.push({ purpose: "voting", input: base + n * ANSWER_TOKENS, output: VOTE_TOKENS });
    // The winner presents; the estimate counts it once, on the first agent.
    if (i === 0 && settings.mode === "multi" && settings.presentation) calls.push({ purpose: "presentation", input: base + n * (ANSWER_TOKENS + VOTE_TOKENS), output: ANSWER_TOKENS });
    for (const call of calls) {
      tokens += call.input + call.output;
      const model = client.backend === "scripted" ? client.model : modelFor(agent.backend, call.purpose, client.model);
      const price = priceOf(prices, model);
      usd = usd === null || !price ? null : usd + costOf(price, { input_tokens: call.input, output_tokens: call.output, cached_tokens: 0 });
    }
    return { id: agent.id, backend: client.backend, model: client.model };
  });
  const writes = options.planning_mode ? [] : (options.context_paths ?? []).filter((p) => p.permission === "write").map((p) => p.path);
  return { task: normalized.task, agents: cards, mode: settings.mode, maxRounds: settings.maxRounds, writes, estimate: { tokens, usd } };
}
