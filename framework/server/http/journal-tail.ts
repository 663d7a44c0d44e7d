import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/** One complete line of events.jsonl and its 1-based number. */
export interface JournalLine {
  n: number;
  text: string;
}

/** Reads the complete lines appended to a journal since the last read; see createJournalTail(). */
export interface JournalTail {
  /** The lines completed since the last call (the first call: every complete line so far). */
  read(): Promise<JournalLine[]>;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;

/**
 * Follows an append-only journal (a run's events.jsonl): each read() returns the lines completed
 * since the last one, numbered from 1. A last line without its newline is being written: it is
 * held back until its newline arrives, so no reader ever sees half a line. A file that is not
 * there yet reads as no lines; a symbolic link is not followed.
 *
 * @example
 * const tail = createJournalTail(join(runDir, "events.jsonl"));
 * for (const line of await tail.read()) console.log(line.n, JSON.parse(line.text).type);
 */
export function createJournalTail(path: string): JournalTail {
  let handle: FileHandle | undefined;
  let offset = 0;
  let count = 0;
  let held = Buffer.alloc(0);
  let closed = false;
  return {
    async read() {
      if (closed) return [];
      if (!handle) {
        try {
          handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
        } catch {
          return [];
        }
      }
      const lines: JournalLine[] = [];
      const size = (await handle.stat()).size;
      while (offset < size) {
        const buffer = Buffer.alloc(Math.min(CHUNK, size - offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        let bytes = Buffer.concat([held, buffer.subarray(0, bytesRead)]);
        // Split on the newline byte, not on decoded text, so a character cut by a chunk's edge stays whole.
        for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a)) {
          count++;
          const text = bytes.subarray(0, end).toString("utf8").trim();
          if (text) lines.push({ n: count, text });
          bytes = bytes.subarray(end + 1);
        }
        held = Buffer.from(bytes);
      }
      return lines;
    },
    async close() {
      closed = true;
      await handle?.close();
      handle = undefined;
    },
  };
}
