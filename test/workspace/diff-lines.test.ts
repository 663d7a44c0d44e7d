import { describe, expect, it } from "vitest";
import { diffLines, type EditOp } from "../../framework/workspace/diff-lines.ts";
import { splitLines, unifiedHunks } from "../../framework/workspace/unified-hunks.ts";

// The length of a longest common subsequence, by dynamic programming (for small inputs).
function lcsLength(a: string[], b: string[]): number {
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = a.length - 1; i >= 0; i--) {
    const next = new Array<number>(b.length + 1).fill(0);
    for (let j = b.length - 1; j >= 0; j--) next[j] = a[i] === b[j] ? (row[j + 1] ?? 0) + 1 : Math.max(row[j] ?? 0, next[j + 1] ?? 0);
    row = next;
  }
  return row[0] ?? 0;
}

// Applies an edit script to `a`, checking that every kept line is the same in both.
function apply(a: string[], b: string[], ops: EditOp[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  for (const op of ops) {
    if (op === "=") {
      expect(a[i]).toBe(b[j]);
      out.push(a[i++]!);
      j++;
    } else if (op === "-") i++;
    else out.push(b[j++]!);
  }
  expect([i, j]).toEqual([a.length, b.length]);
  return out;
}

describe("diffLines()", () => {
  it("finds a shortest edit script on 3000 random small inputs", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 3000; t++) {
      const alphabet = 1 + Math.floor(random() * 5);
      const line = () => `${Math.floor(random() * alphabet)}\n`;
      const a = Array.from({ length: Math.floor(random() * 14) }, line);
      const b = Array.from({ length: Math.floor(random() * 14) }, line);
      const ops = diffLines(a, b);
      expect(apply(a, b, ops)).toEqual(b);
      expect(ops.filter((op) => op === "=").length).toBe(lcsLength(a, b));
    }
  });

  it("diffs two entirely different files of 5000 lines in linear memory, quickly", () => {
    const a = Array.from({ length: 5000 }, (_, i) => `old ${i}\n`);
    const b = Array.from({ length: 5000 }, (_, i) => `new ${i}\n`);
    const started = performance.now();
    const ops = diffLines(a, b);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(ops.filter((op) => op === "-")).toHaveLength(5000);
    expect(ops.filter((op) => op === "+")).toHaveLength(5000);
  });
});

describe("unifiedHunks()", () => {
  it("keeps 3 lines of context and merges changes closer than 6 lines", () => {
    const a = splitLines(Array.from({ length: 20 }, (_, i) => `${i + 1}\n`).join(""));
    const b = [...a];
    b[1] = "two\n";
    b[7] = "eight\n";
    b[18] = "nineteen\n";
    expect(unifiedHunks(a, b)).toBe(
      [
        "@@ -1,11 +1,11 @@", " 1", "-2", "+two", " 3", " 4", " 5", " 6", " 7", "-8", "+eight", " 9", " 10", " 11",
        "@@ -16,5 +16,5 @@", " 16", " 17", " 18", "-19", "+nineteen", " 20", "",
      ].join("\n"),
    );
  });

  it("marks a last line without a newline", () => {
    expect(unifiedHunks(splitLines("a\nb"), splitLines("a\nb\n"))).toBe(
      "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
    );
    expect(unifiedHunks([], splitLines("only"))).toBe("@@ -0,0 +1 @@\n+only\n\\ No newline at end of file\n");
  });
});
