import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** The start of a file: its text up to a byte cap, its full size, and whether it looks binary. */
export interface CappedText {
  text: string;
  /** Bytes of `text`: at most the cap, ending on a whole UTF-8 character. */
  bytes: number;
  /** The file's size in bytes. */
  size: number;
  /** A NUL byte in what was read: not text, so `text` is empty. */
  binary: boolean;
}

/**
 * Reads at most `cap` bytes of a text file, cut on a character boundary, without reading the rest.
 *
 * @example
 * const { text, size } = readCapped("notes.md", 20 * 1024);
 * if (size > 20 * 1024) console.log("cut");
 */
export function readCapped(path: string, cap: number): CappedText {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.max(0, Math.min(size, cap)));
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    const chunk = buffer.subarray(0, read);
    if (chunk.includes(0)) return { text: "", bytes: 0, size, binary: true };
    const bytes = read < size ? utf8Boundary(chunk) : read;
    return { text: chunk.subarray(0, bytes).toString("utf8"), bytes, size, binary: false };
  } finally {
    closeSync(fd);
  }
}

// The length of the longest prefix of `chunk` that ends with a whole UTF-8 character.
function utf8Boundary(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(4, chunk.length); back++) {
    const byte = chunk[chunk.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need <= back ? chunk.length : chunk.length - back;
  }
  return chunk.length;
}
