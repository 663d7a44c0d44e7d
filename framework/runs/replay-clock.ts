import type { Clock } from "../clock.ts";

interface Timer {
  at: number;
  fn: () => void;
  /** The base clock's handle, once the clock has gone live. */
  handle?: unknown;
}

/**
 * The clock of a resumed run. It starts at 0 (the run's start) and, while the recorded part of the
 * run is replayed, jumps from timer to timer whenever the program is idle, as a SimulatedClock does,
 * so every replayed turn comes back at the time it was recorded and every deadline falls where it
 * fell. Once no timer is due before `horizon` (the run's active time when it stopped: the larger of
 * the journal's last `t` and status.json's `elapsed_seconds`), it goes live: its time is `horizon` plus the time `base` has moved since, and its
 * timers run on `base`. The time the run spent dead is not counted, so deadlines survive the kill.
 *
 * @example
 * const clock = new ReplayClock(systemClock, 12_500);
 * clock.now(); // 0, then the recorded times, then 12_500 + the milliseconds since the replay ended
 */
export class ReplayClock implements Clock {
  #base: Clock;
  #horizon: number;
  #now = 0;
  #live: { base0: number } | undefined;
  #seq = 0;
  #timers = new Map<number, Timer>();
  #holds = 0;
  #pumping = false;

  #onLive: (() => void) | undefined;

  #origin: number;

  /**
   * `onLive` is called once, when the replay is done and the clock goes live. `origin` is what the
   * earlier process's clock read at the run's start (epoch ms on the system clock): now() reads
   * `origin` plus the run's active time, so times the resumed run records read as those before the kill.
   */
  constructor(base: Clock, horizon: number, onLive?: () => void, origin = 0) {
    this.#base = base;
    this.#horizon = Math.max(0, horizon);
    this.#onLive = onLive;
    this.#origin = origin;
  }

  /** True while the recorded part of the run is being replayed. */
  get replaying(): boolean {
    return this.#live === undefined;
  }

  #deferred = new Map<number, { fn: () => void; ms: number }>();

  /**
   * This clock for a real model client, whose timers (the idle-stream watchdog) guard real I/O: a timer
   * set while replaying starts counting only once the clock is live, so the replay's jumps never expire it.
   *
   * @example
   * createModelClient(agent, { clock: replayClock.liveTimers(), env, idleMs });
   */
  liveTimers(): Clock {
    return {
      now: () => this.now(),
      setTimeout: (fn, ms) => {
        if (this.#live) return this.setTimeout(fn, ms);
        const id = ++this.#seq;
        this.#deferred.set(id, { fn, ms });
        return -id;
      },
      clearTimeout: (handle) => {
        if (typeof handle === "number" && handle < 0) this.#deferred.delete(-handle);
        this.clearTimeout(handle);
      },
      hold: () => this.hold(),
    };
  }

  now(): number {
    return this.#origin + this.#active();
  }

  // The run's active time: the replayed time, then the horizon plus the time `base` has moved since going live.
  #active(): number {
    return this.#live ? this.#horizon + (this.#base.now() - this.#live.base0) : this.#now;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.#seq;
    const timer: Timer = { at: this.#active() + Math.max(0, ms || 0), fn };
    this.#timers.set(id, timer);
    if (this.#live) this.#schedule(id, timer);
    else this.#pump();
    return id;
  }

  clearTimeout(handle: unknown): void {
    const timer = this.#timers.get(handle as number);
    if (timer?.handle !== undefined) this.#base.clearTimeout(timer.handle);
    this.#timers.delete(handle as number);
  }

  hold(): () => void {
    if (this.#live) return this.#base.hold?.() ?? (() => {});
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#holds === 0 && !this.#live) this.#pump();
    };
  }

  #schedule(id: number, timer: Timer): void {
    timer.handle = this.#base.setTimeout(() => {
      this.#timers.delete(id);
      timer.fn();
    }, Math.max(0, timer.at - this.#active()));
  }

  #goLive(): void {
    this.#live = { base0: this.#base.now() };
    for (const [id, timer] of this.#timers) this.#schedule(id, timer);
    // Deferred timers keep their ids (negated), so a clearTimeout given one still finds it.
    for (const [id, { fn, ms }] of this.#deferred) {
      const timer: Timer = { at: this.#active() + Math.max(0, ms || 0), fn };
      this.#timers.set(-id, timer);
      this.#schedule(-id, timer);
    }
    this.#deferred.clear();
    this.#onLive?.();
  }

  // While replaying: once the program is idle, fire the earliest timer due by the horizon; with none, go live.
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void (async () => {
      try {
        while (!this.#live) {
          await settle();
          if (this.#holds > 0) break;
          let next: [number, Timer] | undefined;
          for (const entry of this.#timers) if (!next || entry[1].at < next[1].at) next = entry;
          if (!next || next[1].at > this.#horizon) {
            this.#goLive();
            break;
          }
          this.#timers.delete(next[0]);
          this.#now = Math.max(this.#now, next[1].at);
          next[1].fn();
        }
      } finally {
        this.#pumping = false;
      }
    })();
  }
}

// Lets pending promise chains and immediate callbacks run before time moves. One round drains every
// microtask (a replayed call's answer reaching the machine, the next round's turns setting their timers);
// a second lets the run's own setImmediate (its status write) go first. Fewer rounds than SimulatedClock's
// eight keep a replay of 100 turns well under 50 ms.
const ROUNDS = 2;
async function settle(): Promise<void> {
  for (let i = 0; i < ROUNDS; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
