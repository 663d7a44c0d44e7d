import type { ModelPrice, PriceTable } from "../config/load-prices.ts";
import { priceOf } from "../models/cost.ts";

/**
 * The next cheaper model of `model`'s family in the price table: first its own line's smaller
 * sizes (`gpt-4.1` → `gpt-4.1-mini`), else the same vendor's (`claude-sonnet-4-5` →
 * `claude-haiku-4-5`); the dearest of those that costs less, never a free (local) model.
 * Undefined when the table names none.
 *
 * @example
 * cheaperModel("gpt-4.1", loadPrices(process.env)); // { model: "gpt-4.1-mini", price: { input: 0.4, output: 1.6, cached_input: 0.1 } }
 */
export function cheaperModel(model: string, prices: PriceTable): { model: string; price: ModelPrice } | undefined {
  const own = priceOf(prices, model);
  if (!own) return undefined;
  const weight = (p: ModelPrice) => p.input + p.output;
  const cheaper = Object.entries(prices).filter(([name, p]) => name !== model && weight(p) > 0 && weight(p) < weight(own));
  const vendor = model.split("-")[0]!;
  const line = cheaper.filter(([name]) => name.startsWith(`${model}-`));
  const family = line.length ? line : cheaper.filter(([name]) => name.split("-")[0] === vendor);
  const best = family.sort(([, a], [, b]) => weight(b) - weight(a))[0];
  return best ? { model: best[0], price: best[1] } : undefined;
}
