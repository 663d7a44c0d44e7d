/**
 * A byte count in decimal megabytes for a message: a whole number plain, anything else to one
 * decimal. Messages that compare a size with a cap also give the exact bytes.
 *
 * @example
 * formatMegabytes(10_000_000); // "10 MB"
 * formatMegabytes(12_345_678); // "12.3 MB"
 */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}
