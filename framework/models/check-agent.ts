import type { AgentConfig } from "../config/config-schema.ts";
import type { PriceTable } from "../config/load-prices.ts";
import { priceOf } from "./cost.ts";
import { DEFAULT_MODELS, resolveBackend, resolveConnection, type ConcreteBackend } from "./resolve-backend.ts";
import { probeModel, type ProbeOutcome } from "./probe-model.ts";
import { redactUrls } from "./redact-secrets.ts";

export interface CheckAgentOptions {
  env: NodeJS.ProcessEnv;
  prices: PriceTable;
  /** Skip the network: no request to the server (key and price are still checked). */
  offline?: boolean;
  /** Each request's time limit, in ms (default 5000). */
  timeoutMs?: number;
}

/** What `conclave doctor` found for one agent; never holds a key's value. */
export interface AgentCheck {
  agent: string;
  backend: ConcreteBackend;
  /** Why `auto` (or the config) means this backend. */
  why: string;
  /** The variable that holds the key and whether it is set: `OPENAI_API_KEY set`, `ANTHROPIC_API_KEY missing`, `not needed`. */
  key: string;
  /** The server, credentials hidden; "" for scripted. */
  server: string;
  reachable: "yes" | "no" | "skipped" | "n/a";
  /** Every model the agent uses (its `model`, then its tiers). */
  models: string[];
  model: "listed" | "answers" | "not found" | "no answer" | "skipped" | "n/a";
  price: "known" | "unknown" | "n/a";
  ready: boolean;
  /** What to do, one line; absent when ready. */
  fix?: string;
}

const DEFAULT_SERVERS = { openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com" } as const;

/**
 * Checks that one agent can run here: the backend `auto` resolves to, its key, its server, its
 * models and their prices. Resolves the key and server as the clients do (resolveConnection). The
 * first problem found becomes `fix`.
 *
 * @example
 * const check = await checkAgent(config.agents[0]!, { env: process.env, prices: loadPrices(process.env) });
 * check.ready; // false
 * check.fix;   // "set `OPENAI_API_KEY` (in the environment or ./.env), or pass --dry-run to run offline"
 */
export async function checkAgent(agent: AgentConfig, options: CheckAgentOptions): Promise<AgentCheck> {
  const { env, prices } = options;
  const { type, reason } = resolveBackend(agent.backend.type, env);
  const base = { agent: agent.id, backend: type, why: reason };
  if (type === "scripted") {
    return { ...base, key: "not needed", server: "", reachable: "n/a", models: [agent.backend.model ?? "scripted"], model: "n/a", price: "n/a", ready: true };
  }
  const { keyEnv, apiKey, baseURL } = resolveConnection(agent, type, env);
  const server = redactUrls(baseURL ?? DEFAULT_SERVERS[type]);
  const keyOptional = type === "openai" && baseURL !== undefined;
  const key = apiKey ? `${keyEnv} set` : keyOptional ? `${keyEnv} not set (not needed)` : `${keyEnv} missing`;
  const main = agent.backend.model ?? env.CONCLAVE_MODEL ?? (keyOptional ? undefined : DEFAULT_MODELS[type]);
  const models = [...new Set([main, ...Object.values(agent.backend.models ?? {})].filter((m): m is string => Boolean(m)))];
  const unpriced = models.filter((m) => !priceOf(prices, m));
  const price = unpriced.length ? "unknown" : "known";
  const skipped = { ...base, key, server, models, price } as const;

  if (!apiKey && !keyOptional) {
    const fix = `set \`${keyEnv}\` (in the environment or ./.env)${agent.backend.api_key_env ? "" : ", or name another variable with `api_key_env`"}`;
    return { ...skipped, reachable: "skipped", model: "skipped", ready: false, fix };
  }
  if (!main) {
    return { ...skipped, reachable: "skipped", model: "skipped", ready: false, fix: `set \`model\` in the config (or CONCLAVE_MODEL): say which model ${server} should run` };
  }
  const priceFix = unpriced.length ? `add ${unpriced.map((m) => `\`${m}\``).join(", ")} to configs/prices.yaml (or the file CONCLAVE_PRICES names)` : undefined;
  if (options.offline) return { ...skipped, reachable: "skipped", model: "skipped", ready: !priceFix, ...(priceFix && { fix: priceFix }) };

  const target = { apiKey, baseURL, timeoutMs: options.timeoutMs ?? 5000 };
  const outcomes = await Promise.all(models.map(async (model) => ({ model, outcome: await probeModel(type, { ...target, model }) })));
  const failed = outcomes.find((o) => o.outcome.kind !== "ok") as { model: string; outcome: Exclude<ProbeOutcome, { kind: "ok" }> } | undefined;
  if (!failed) {
    const listed = outcomes.every((o) => o.outcome.kind === "ok" && o.outcome.how === "listed");
    return { ...skipped, reachable: "yes", model: listed ? "listed" : "answers", ready: !priceFix, ...(priceFix && { fix: priceFix }) };
  }
  const { model, outcome } = failed;
  switch (outcome.kind) {
    case "unreachable":
      return { ...skipped, reachable: "no", model: "skipped", ready: false, fix: `cannot reach ${server} (${outcome.detail}): start the server or fix \`base_url\`` };
    case "key-rejected":
      return { ...skipped, reachable: "yes", model: "skipped", ready: false, fix: `the server rejected the key in \`${keyEnv}\` (${outcome.detail}): set a valid key` };
    case "model-not-found":
      return { ...skipped, reachable: "yes", model: "not found", ready: false, fix: `model \`${model}\` not found at ${server}: fix \`model\` in the config` };
    default:
      return { ...skipped, reachable: "yes", model: "no answer", ready: false, fix: `model \`${model}\` did not answer (${outcome.detail})` };
  }
}
