/**
 * The longest prefix of `buffer` of at most `max` bytes that does not cut a UTF-8 character.
 *
 * @example
 * utf8Prefix(Buffer.from("héllo"), 2).toString(); // "h"
 */
export function utf8Prefix(buffer: Buffer, max: number): Buffer {
  if (buffer.length <= max) return buffer;
  let end = Math.max(0, max);
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && end < buffer.length && ((buffer[end] ?? 0) & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end);
}

/**
 * The longest suffix of `buffer` of at most `max` bytes that starts on a UTF-8 character.
 *
 * @example
 * utf8Suffix(Buffer.from("hé"), 1).toString(); // ""
 */
export function utf8Suffix(buffer: Buffer, max: number): Buffer {
  if (buffer.length <= max) return buffer;
  let start = buffer.length - Math.max(0, max);
  while (start < buffer.length && ((buffer[start] ?? 0) & 0xc0) === 0x80) start++;
  return buffer.subarray(start);
}

/**
 * Whether `buffer` looks binary: it holds a NUL byte (git's rule, on the first 8000 bytes by
 * default).
 *
 * @example
 * isBinary(Buffer.from([0x50, 0x00])); // true
 */
export function isBinary(buffer: Buffer, scan = 8000): boolean {
  return buffer.subarray(0, scan).includes(0);
}
