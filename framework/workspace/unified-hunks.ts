import { diffLines, type EditOp } from "./diff-lines.ts";

/**
 * Splits text into lines that keep their `\n`; a last line without one stays without.
 *
 * @example
 * splitLines("a\nb"); // ["a\n", "b"]
 */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * The hunks of a unified diff from `a` to `b` (lines from `splitLines`): `@@ -l,s +l,s @@`
 * headers (`,1` left out, as git does), `context` lines of context (hunks closer than twice that merge), and
 * `\ No newline at end of file` after a last line without one. Empty when nothing changed.
 *
 * @example
 * unifiedHunks(["a\n", "b\n"], ["a\n", "c\n"]);
 * // "@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
 */
export function unifiedHunks(a: readonly string[], b: readonly string[], context = 3): string {
  const ops = diffLines(a, b);
  const n = ops.length;
  // aAt[k], bAt[k]: the line of a and of b that op k reads.
  const aAt = new Int32Array(n + 1);
  const bAt = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) {
    const op = ops[k];
    aAt[k + 1] = (aAt[k] ?? 0) + (op === "+" ? 0 : 1);
    bAt[k + 1] = (bAt[k] ?? 0) + (op === "-" ? 0 : 1);
  }
  let out = "";
  let k = 0;
  let previousEnd = 0;
  while (k < n) {
    while (k < n && ops[k] === "=") k++;
    if (k >= n) break;
    const start = Math.max(previousEnd, k - context);
    let end = k;
    for (;;) {
      while (end < n && ops[end] !== "=") end++;
      let next = end;
      while (next < n && ops[next] === "=") next++;
      if (next < n && next - end <= 2 * context) end = next;
      else break;
    }
    const stop = Math.min(n, end + context);
    out += hunk(ops, start, stop, a, b, aAt[start] ?? 0, bAt[start] ?? 0);
    previousEnd = stop;
    k = stop;
  }
  return out;
}

function hunk(ops: EditOp[], start: number, stop: number, a: readonly string[], b: readonly string[], i: number, j: number): string {
  let body = "";
  let oldCount = 0;
  let newCount = 0;
  const firstOld = i;
  const firstNew = j;
  for (let k = start; k < stop; k++) {
    const op = ops[k];
    if (op === "=") {
      body += line(" ", a[i++] ?? "");
      j++;
      oldCount++;
      newCount++;
    } else if (op === "-") {
      body += line("-", a[i++] ?? "");
      oldCount++;
    } else {
      body += line("+", b[j++] ?? "");
      newCount++;
    }
  }
  return `@@ -${range(firstOld, oldCount)} +${range(firstNew, newCount)} @@\n${body}`;
}

// "start,count", 1-based, as git writes it: ",1" left out; an empty range names the line before it.
function range(index: number, count: number): string {
  if (count === 1) return `${index + 1}`;
  return `${count === 0 ? index : index + 1},${count}`;
}

function line(mark: string, text: string): string {
  return text.endsWith("\n") ? `${mark}${text}` : `${mark}${text}\n\\ No newline at end of file\n`;
}
