import { writeFileAtomicAsync } from "../atomic-write.ts";

/**
 * A file rewritten often but written seldom (status.json): each offer replaces the content not yet
 * written, the latest winning; at most one write is in flight, and writes start at most every
 * `everyMs` (wall clock) unless the offer is urgent. Every write is atomic (temp + rename), so the
 * file parses at every moment.
 */
export interface CoalescedFile {
  /** Offers the file's latest content: written within `everyMs`, or as soon as no write is in flight when `urgent`. */
  offer(text: string, urgent: boolean): void;
  /** Writes what was offered at once and resolves when it is in the file; rejects with the first write's error, if one failed. */
  settle(): Promise<void>;
  /** Drops what is not written yet and writes nothing more (a write in flight still lands whole). */
  stop(): void;
}

/**
 * A coalesced, asynchronous, atomic writer of the file at `path`.
 *
 * @example
 * const status = createCoalescedFile("runs/x/status.json", 250);
 * status.offer(JSON.stringify(s1), true); // written now
 * status.offer(JSON.stringify(s2), false); // written within 250 ms, unless s3 comes first
 * await status.settle(); // the last offer is in the file
 */
export function createCoalescedFile(path: string, everyMs: number): CoalescedFile {
  let pending: string | undefined;
  let urgent = false;
  let writing = false;
  let stopped = false;
  let lastStart = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;
  let idle: (() => void)[] = [];

  const pump = () => {
    if (writing) return;
    if (stopped || pending === undefined) {
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) resolve();
      return;
    }
    const wait = urgent ? 0 : lastStart + everyMs - Date.now();
    if (wait > 0) {
      timer ??= setTimeout(() => {
        timer = undefined;
        pump();
      }, wait).unref();
      return;
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    const text = pending;
    pending = undefined;
    urgent = false;
    writing = true;
    lastStart = Date.now();
    writeFileAtomicAsync(path, text)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        writing = false;
        pump();
      });
  };

  return {
    offer(text, now) {
      if (stopped) return;
      pending = text;
      urgent ||= now;
      pump();
    },
    settle() {
      if (pending !== undefined) urgent = true;
      const done = new Promise<void>((resolve) => idle.push(resolve));
      pump();
      return done.then(() => {
        if (failure !== undefined) throw failure;
      });
    },
    stop() {
      stopped = true;
      pending = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
      pump();
    },
  };
}
