import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { packagePath } from "../package-root.ts";
import { formatIssues } from "./load-config.ts";

const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cached_input: z.number().min(0).optional(),
  cache_write: z.number().min(0).optional(),
});

const pricesSchema = z.strictObject({ models: z.record(z.string(), priceSchema) });

/** USD per million tokens for one model. */
export type ModelPrice = z.output<typeof priceSchema>;
export type PriceTable = Record<string, ModelPrice>;

/** Conclave's own price table. */
export const BUILTIN_PRICES = packagePath("configs/prices.yaml");

/**
 * Loads the price table: `CONCLAVE_PRICES`, else ./configs/prices.yaml, else Conclave's own.
 *
 * @example
 * loadPrices(process.env)["gpt-4.1-mini"] // { input: 0.4, output: 1.6, cached_input: 0.1 }
 */
export function loadPrices(env: NodeJS.ProcessEnv): PriceTable {
  const local = resolve("configs/prices.yaml");
  const path = env.CONCLAVE_PRICES ?? (existsSync(local) ? local : BUILTIN_PRICES);
  let text: string;
  let stamp: string;
  try {
    const stat = statSync(path);
    stamp = `${path}:${stat.mtimeMs}:${stat.size}`;
    const hit = cache.get(path);
    if (hit?.stamp === stamp) return hit.table;
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read the price table \`${path}\`${env.CONCLAVE_PRICES ? " (from CONCLAVE_PRICES)" : ""}: ${(cause as Error).message}`, { cause });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length) throw new ConfigError(`${path}:${lines.linePos(doc.errors[0]!.pos[0]).line} malformed YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  const parsed = pricesSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, path, doc, lines));
  cache.set(path, { stamp, table: parsed.data.models });
  return parsed.data.models;
}

// Parsed tables by path, kept while the file's mtime and size stay the same: many runs, one parse.
const cache = new Map<string, { stamp: string; table: PriceTable }>();
