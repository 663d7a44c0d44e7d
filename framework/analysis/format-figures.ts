// Figures as a report's sentences say them.

/** 0.8567 → "86%". */
export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** Milliseconds → "12.3 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** 0.01234 → "$0.0123". */
export function usd(x: number): string {
  if (x === 0) return "$0";
  return `$${x >= 1 ? x.toFixed(2) : x.toFixed(4)}`;
}

/** Rounds to `digits` decimals, for figures in evidence. */
export function roundTo(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The median of `xs` (0 for none). */
export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** ["a", "b", "c"] → "a, b and c". */
export function listOf(names: string[]): string {
  return names.length < 2 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
