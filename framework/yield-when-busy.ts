import { performance } from "node:perf_hooks";

/** The longest stretch (ms) of admitted work in one turn of the event loop: about the event-loop lag it allows. */
export const SLICE_MS = 2;

let sliceOpen = false;
let sliceStart = 0;

/**
 * Resolves in the check phase of the event loop, once earlier callers' work is done, while this turn of the
 * loop has spent less than SLICE_MS on admitted work; else in a later turn. Node runs the pending promise
 * work between two immediate callbacks, so each caller's work (up to its next await) is done before the
 * next caller is admitted. Many runs in one process call it before they set up and before they act on each
 * model reply, so 300 replies arriving together are handled over several turns of the loop, with timers,
 * I/O and an HTTP server served between them, not in one half-second block. For runs on the system clock:
 * on a simulated clock nothing may happen between a reply and its handling.
 *
 * @example
 * const completion = await client.complete(request);
 * await yieldWhenBusy(); // then act on it
 */
export function yieldWhenBusy(): Promise<void> {
  return new Promise((resolve) => {
    let turns = 0;
    const admit = () => {
      const now = performance.now();
      if (!sliceOpen) {
        // A slice opens with the first admission of a turn; the callback queued now runs first in the next turn and closes it.
        sliceOpen = true;
        sliceStart = now;
        setImmediate(() => {
          sliceOpen = false;
        });
      }
      // Bounded: past a thousand turns (a caller starved by a flood) it is admitted anyway.
      if (now - sliceStart < SLICE_MS || ++turns > 1_000) resolve();
      else setImmediate(admit);
    };
    setImmediate(admit);
  });
}
