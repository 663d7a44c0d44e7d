import type { Clock } from "../clock.ts";

/**
 * Aborts a streaming call that goes quiet: `touch()` on every chunk restarts the countdown;
 * after `idleMs` without one, `onIdle` runs (it aborts the request) and `fired` turns true.
 *
 * @example
 * const idle = startIdleWatchdog(clock, 60_000, () => controller.abort());
 * for await (const chunk of stream) { idle.touch(); … }
 * idle.stop();
 */
export function startIdleWatchdog(clock: Clock, idleMs: number, onIdle: () => void) {
  let handle: unknown;
  let fired = false;
  const arm = () => {
    clock.clearTimeout(handle);
    handle = clock.setTimeout(() => {
      fired = true;
      onIdle();
    }, idleMs);
  };
  arm();
  return {
    touch: arm,
    stop: () => clock.clearTimeout(handle),
    get fired() {
      return fired;
    },
  };
}
