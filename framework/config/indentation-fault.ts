/** Where a YAML indentation mistake is, for people: the line at fault and what is wrong with it. */
export interface IndentationFault {
  /** 1-based. */
  line: number;
  message: string;
}

// A key at the start of a line, after any `- ` of sequence items: `  - id: alpha` → "id".
const KEY = /^(\s*(?:-\s+)*)([^\s#:'"{}[\],&*!|>%@`-][^#:]*?)\s*:(?:\s|$)/;

/**
 * The line at fault for the yaml library's indentation errors, which it often reports on another
 * line: a first key indented deeper than the rest of its mapping is reported on the next key
 * (BAD_INDENT), and a key indented under a key that already has a value on the key above it
 * (BLOCK_AS_IMPLICIT_KEY, MULTILINE_IMPLICIT_KEY). Undefined when the error is of another kind, or
 * the text does not show which line is wrong.
 *
 * @example
 * indentationFault("coordination:\n    max_rounds: 2\n  voting: strict\n", "BAD_INDENT", 3);
 * // { line: 2, message: "`max_rounds` is indented 4 spaces, but the next key of `coordination`, `voting` (line 3), is indented 2. …" }
 */
export function indentationFault(text: string, code: string, reportedLine: number): IndentationFault | undefined {
  const lines = text.split(/\r?\n/);
  const at = reportedLine - 1;
  if (!lines[at] || !significant(lines[at])) return undefined;
  if (code === "BAD_INDENT") return misalignedKey(lines, at);
  if (code === "BLOCK_AS_IMPLICIT_KEY" || code === "MULTILINE_IMPLICIT_KEY") return keyUnderValue(lines, at);
  return undefined;
}

// BAD_INDENT on line `at`: either it lines up with no key above it, or the first key of its mapping is the one too deep.
function misalignedKey(lines: string[], at: number): IndentationFault | undefined {
  const key = keyOf(lines[at]!);
  if (!key) return undefined;
  const column = indentOf(lines[at]!);
  const parent = previous(lines, at, (line) => indentOf(line) < column);
  const first = parent === undefined ? undefined : next(lines, parent);
  if (parent === undefined || first === undefined || first >= at) return undefined;
  const parentKey = keyOf(lines[parent]!);
  const firstKey = keyOf(lines[first]!);
  const firstColumn = keyColumn(lines[first]!);
  const opensMapping = parentKey !== undefined && !/^\s*-/.test(lines[parent]!) && /:\s*(#.*)?$/.test(lines[parent]!);
  // The key on `at` sits one step in from its parent, as the file indents elsewhere: the keys before it are too deep.
  if (opensMapping && firstKey && firstColumn > column && column - indentOf(lines[parent]!) === indentUnit(lines, at)) {
    return {
      line: first + 1,
      message: `\`${firstKey}\` is indented ${spaces(firstColumn)}, but the next key of \`${parentKey}\`, \`${key}\` (line ${at + 1}), is indented ${column}. Indent the keys of one mapping alike.`,
    };
  }
  const around = [
    firstKey && `\`${firstKey}\` on line ${first + 1} at ${firstColumn}`,
    parentKey && `\`${parentKey}\` on line ${parent + 1} at ${keyColumn(lines[parent]!)}`,
  ].filter(Boolean);
  return {
    line: at + 1,
    message: `\`${key}\` is indented ${spaces(column)}, out of line with the keys above it${around.length ? ` (${around.join(", ")})` : ""}. Indent the keys of one mapping alike.`,
  };
}

// A key indented under `key: value` on line `at`: the line after it is the one at fault.
function keyUnderValue(lines: string[], at: number): IndentationFault | undefined {
  const above = keyOf(lines[at]!);
  const below = next(lines, at);
  if (!above || below === undefined) return undefined;
  const key = keyOf(lines[below]!);
  const column = indentOf(lines[below]!);
  const aboveColumn = keyColumn(lines[at]!);
  if (!key || column <= aboveColumn || /:\s*(#.*)?$/.test(lines[at]!)) return undefined;
  return {
    line: below + 1,
    message: `\`${key}\` is indented ${spaces(column)}, deeper than \`${above}\` on line ${at + 1} (at ${aboveColumn}), which already has a value. Indent the keys of one mapping alike.`,
  };
}

// A line that is neither blank nor only a comment.
function significant(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== "" && !trimmed.startsWith("#");
}

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}

// Where the key on a line starts: after the indentation and any `- `.
function keyColumn(line: string): number {
  const match = KEY.exec(line);
  return match ? match[1]!.length : indentOf(line);
}

function keyOf(line: string): string | undefined {
  return KEY.exec(line)?.[2];
}

// How far the file indents one level: its smallest indentation, leaving out the line in question.
function indentUnit(lines: string[], except: number): number {
  const indents = lines.filter((line, i) => i !== except && significant(line)).map(indentOf).filter((n) => n > 0);
  return indents.length ? Math.min(...indents) : 2;
}

function previous(lines: string[], from: number, test: (line: string) => boolean): number | undefined {
  for (let i = from - 1; i >= 0; i--) if (significant(lines[i]!) && test(lines[i]!)) return i;
  return undefined;
}

function next(lines: string[], from: number): number | undefined {
  for (let i = from + 1; i < lines.length; i++) if (significant(lines[i]!)) return i;
  return undefined;
}

function spaces(n: number): string {
  return `${n} space${n === 1 ? "" : "s"}`;
}
