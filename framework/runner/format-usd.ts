/**
 * A cost in USD as the CLI shows it: `$0.0123`, or `n/a` when unknown (a model without a price).
 *
 * @example
 * formatUsd(null); // "n/a"
 */
export function formatUsd(usd: number | null | undefined): string {
  return typeof usd === "number" && Number.isFinite(usd) ? `$${usd.toFixed(4)}` : "n/a";
}
