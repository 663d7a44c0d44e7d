/** Options of `formatTable`. */
export interface TableOptions {
  /** Columns aligned right (numbers), by index. */
  right?: number[];
  /** Colours a padded body cell (for example with ANSI codes); widths are measured before. */
  paint?: (padded: string, row: number, column: number) => string;
}

/**
 * A plain-text table: the header, a rule of dashes, then the rows; columns two spaces apart,
 * the last column not padded.
 *
 * @example
 * formatTable([["agent", "tokens"], ["alpha", "1434"]], { right: [1] }).join("\n");
 * // agent  tokens
 * // -----  ------
 * // alpha    1434
 */
export function formatTable(rows: string[][], options: TableOptions = {}): string[] {
  const [header, ...body] = rows;
  if (!header) return [];
  const right = new Set(options.right ?? []);
  const widths = header.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  const last = header.length - 1;
  const line = (row: string[], r: number) =>
    row
      .map((cell, c) => {
        const padded = right.has(c) ? cell.padStart(widths[c]!) : c === last ? cell : cell.padEnd(widths[c]!);
        return r >= 0 && options.paint ? options.paint(padded, r, c) : padded;
      })
      .join("  ")
      .trimEnd();
  return [line(header, -1), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
}
