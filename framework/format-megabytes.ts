/**
 * A byte count in decimal megabytes for a message: a whole number plain, from 1 MB on to one
 * decimal, below it to two significant digits. Messages comparing a size with a cap also give bytes.
 *
 * @example
 * formatMegabytes(10_000_000); // "10 MB"
 * formatMegabytes(12_345_678); // "12.3 MB"
 * formatMegabytes(1_000);      // "0.001 MB"
 */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  if (Number.isInteger(mb)) return `${mb} MB`;
  return `${mb >= 1 ? mb.toFixed(1) : Number(mb.toPrecision(2))} MB`;
}
