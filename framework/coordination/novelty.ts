/**
 * Word-set Jaccard similarity of two texts, 0 (nothing shared) to 1 (the same words).
 *
 * @example
 * jaccard("a b c", "b c d") // 0.5
 */
export function jaccard(a: string, b: string): number {
  const x = wordSet(a);
  const y = wordSet(b);
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  return shared / (x.size + y.size - shared);
}

/** The first existing answer that `content` is more similar to than `threshold`, if any. */
export function findTooSimilar<T extends { content: string }>(content: string, existing: T[], threshold: number): T | undefined {
  return existing.find((e) => jaccard(content, e.content) > threshold);
}

function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []);
}
