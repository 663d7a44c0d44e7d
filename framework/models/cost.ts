import type { ModelPrice, PriceTable } from "../config/load-prices.ts";
import type { Usage } from "./model.ts";

/**
 * The price of `model`: its entry, or the entry of its undated name
 * (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`); undefined when the table has neither.
 */
export function priceOf(table: PriceTable, model: string): ModelPrice | undefined {
  return table[model] ?? table[model.replace(/-(\d{8}|\d{4}-\d{2}-\d{2})$/, "")] ?? table[model.replace(/:latest$/, "")];
}

/**
 * USD for one call. Cached reads are priced at `cached_input` and cache writes at `cache_write`
 * (each defaulting to `input`); the rest of the input at `input`.
 *
 * @example
 * costOf({ input: 3, output: 15, cached_input: 0.3 }, { input_tokens: 1000, cached_tokens: 800, output_tokens: 100 }) // 0.0000024 + …
 */
export function costOf(price: ModelPrice, usage: Usage): number {
  const cached = usage.cached_tokens;
  const written = usage.cache_write_tokens ?? 0;
  const plain = Math.max(0, usage.input_tokens - cached - written);
  const usd =
    plain * price.input + cached * (price.cached_input ?? price.input) + written * (price.cache_write ?? price.input) + usage.output_tokens * price.output;
  return usd / 1_000_000;
}
