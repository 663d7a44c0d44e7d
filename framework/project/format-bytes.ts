/**
 * A size for people: bytes below 1 KB, then KB and MB with at most one decimal.
 *
 * @example
 * formatBytes(52_428_800); // "50 MB"
 * formatBytes(20_480); // "20 KB"
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}
