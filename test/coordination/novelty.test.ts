import { describe, expect, it } from "vitest";
import { findTooSimilar, jaccard } from "../../framework/coordination/novelty.ts";

describe("jaccard()", () => {
  it("divides the shared words by all the words", () => {
    expect(jaccard("a b c", "b c d")).toBe(0.5);
  });

  it("is 1 for the same words in any order, repeated or not", () => {
    expect(jaccard("use a cache", "cache a use")).toBe(1);
    expect(jaccard("a a a b", "b a")).toBe(1);
  });

  it("is 0 when no word is shared", () => {
    expect(jaccard("red green", "blue yellow")).toBe(0);
  });

  it("ignores case and punctuation", () => {
    expect(jaccard("Hello, WORLD!", "hello world")).toBe(1);
    expect(jaccard("## Plan\n\n1. Cache it.", "plan 1 cache it")).toBe(1);
  });

  it("counts letters beyond ASCII, digits and underscores as parts of words", () => {
    expect(jaccard("café au lait", "CAFÉ")).toBeCloseTo(1 / 3, 10);
    expect(jaccard("max_rounds 42", "max_rounds")).toBe(0.5);
  });

  it("is 1 for two texts without words and 0 for one", () => {
    expect(jaccard("", "")).toBe(1);
    expect(jaccard("...", "  ")).toBe(1);
    expect(jaccard("", "something")).toBe(0);
  });

  it("is symmetric", () => {
    const a = "start from the smallest change that works";
    const b = "the smallest change first, then widen it";
    expect(jaccard(a, b)).toBe(jaccard(b, a));
  });
});

describe("findTooSimilar()", () => {
  const existing = [
    { label: "A", content: "red green blue" },
    { label: "B", content: "one two three four" },
    { label: "C", content: "one two three four" },
  ];

  it("returns the first existing answer above the threshold", () => {
    expect(findTooSimilar("four three two one", existing, 0.9)).toBe(existing[1]);
  });

  it("returns undefined when every answer is at or below the threshold", () => {
    // "one two three" vs "one two three four" is exactly 0.75.
    expect(findTooSimilar("one two three", existing, 0.75)).toBeUndefined();
    expect(findTooSimilar("one two three", existing, 0.74)).toBe(existing[1]);
  });

  it("returns undefined when there is nothing to compare with", () => {
    expect(findTooSimilar("anything", [], 0.1)).toBeUndefined();
  });
});
