/** One step of an edit script: keep a line of both, delete a line of `a`, or insert a line of `b`. */
export type EditOp = "=" | "-" | "+";

/**
 * A shortest edit script turning the lines `a` into the lines `b` (Myers' O(ND) algorithm, in
 * linear space: the middle snake splits the problem in two, so memory stays O(N + M) however
 * different the files are). Lines are compared as whole strings, end of line included.
 *
 * @example
 * diffLines(["a\n", "b\n"], ["a\n", "c\n"]); // ["=", "-", "+"]  (deletions before insertions)
 */
export function diffLines(a: readonly string[], b: readonly string[]): EditOp[] {
  // Compare small integers rather than strings.
  const ids = new Map<string, number>();
  const idOf = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const x = Int32Array.from(a, idOf);
  const y = Int32Array.from(b, idOf);
  const ops: EditOp[] = [];
  compare(x, 0, x.length, y, 0, y.length, ops);
  return deletionsFirst(ops);
}

// Within each run of changes, puts the deletions before the insertions, as diff and git do.
function deletionsFirst(ops: EditOp[]): EditOp[] {
  let k = 0;
  while (k < ops.length) {
    if (ops[k] === "=") {
      k++;
      continue;
    }
    let end = k;
    let deletions = 0;
    while (end < ops.length && ops[end] !== "=") if (ops[end++] === "-") deletions++;
    ops.fill("-", k, k + deletions).fill("+", k + deletions, end);
    k = end;
  }
  return ops;
}

function compare(a: Int32Array, aLo: number, aHi: number, b: Int32Array, bLo: number, bHi: number, ops: EditOp[]): void {
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
    ops.push("=");
    aLo++;
    bLo++;
  }
  let suffix = 0;
  while (aHi > aLo && bHi > bLo && a[aHi - 1] === b[bHi - 1]) {
    aHi--;
    bHi--;
    suffix++;
  }
  if (aLo === aHi || bLo === bHi) {
    for (let i = aLo; i < aHi; i++) ops.push("-");
    for (let j = bLo; j < bHi; j++) ops.push("+");
  } else {
    const split = middleSnake(a, aLo, aHi, b, bLo, bHi);
    if (split === null) {
      for (let i = aLo; i < aHi; i++) ops.push("-");
      for (let j = bLo; j < bHi; j++) ops.push("+");
    } else {
      compare(a, aLo, split[0], b, bLo, split[1], ops);
      compare(a, split[0], aHi, b, split[1], bHi, ops);
    }
  }
  for (let i = 0; i < suffix; i++) ops.push("=");
}

// Where the forward and backward searches for a shortest path meet: a point (x, y) strictly
// inside the box that a shortest path goes through; null only if none is found (never expected).
function middleSnake(
  a: Int32Array,
  aLo: number,
  aHi: number,
  b: Int32Array,
  bLo: number,
  bHi: number,
): [number, number] | null {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const maxD = Math.ceil((n + m) / 2);
  const offset = maxD;
  const size = 2 * maxD + 2;
  const vf = new Int32Array(size).fill(-1);
  const vb = new Int32Array(size).fill(-1);
  vf[offset + 1] = 0;
  vb[offset + 1] = 0;
  const delta = n - m;
  const front = delta % 2 !== 0;
  let kfStart = 0;
  let kfEnd = 0;
  let kbStart = 0;
  let kbEnd = 0;
  for (let d = 0; d < maxD; d++) {
    for (let k = -d + kfStart; k <= d - kfEnd; k += 2) {
      const i = offset + k;
      let x = k === -d || (k !== d && (vf[i - 1] ?? -1) < (vf[i + 1] ?? -1)) ? (vf[i + 1] ?? 0) : (vf[i - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
        x++;
        y++;
      }
      vf[i] = x;
      if (x > n) kfEnd += 2;
      else if (y > m) kfStart += 2;
      else if (front) {
        const j = offset + delta - k;
        const back = j >= 0 && j < size ? (vb[j] ?? -1) : -1;
        if (back !== -1 && x >= n - back) return valid(aLo + x, bLo + y, aLo, aHi, bLo, bHi);
      }
    }
    for (let k = -d + kbStart; k <= d - kbEnd; k += 2) {
      const i = offset + k;
      let x = k === -d || (k !== d && (vb[i - 1] ?? -1) < (vb[i + 1] ?? -1)) ? (vb[i + 1] ?? 0) : (vb[i - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[aHi - x - 1] === b[bHi - y - 1]) {
        x++;
        y++;
      }
      vb[i] = x;
      if (x > n) kbEnd += 2;
      else if (y > m) kbStart += 2;
      else if (!front) {
        const j = offset + delta - k;
        const forward = j >= 0 && j < size ? (vf[j] ?? -1) : -1;
        if (forward !== -1 && forward >= n - x) {
          return valid(aLo + forward, bLo + offset + forward - j, aLo, aHi, bLo, bHi);
        }
      }
    }
  }
  return null;
}

// A split point that makes progress on both sides, or null.
function valid(x: number, y: number, aLo: number, aHi: number, bLo: number, bHi: number): [number, number] | null {
  const atStart = x === aLo && y === bLo;
  const atEnd = x === aHi && y === bHi;
  return atStart || atEnd || x < aLo || x > aHi || y < bLo || y > bHi ? null : [x, y];
}
