/**
 * Time, injected. The run machine, the watchdogs and the scripted backend read time only
 * through a Clock, so tests drive whole runs on a SimulatedClock in microseconds of real time.
 * A Clock is also an XState clock (`createActor(machine, { clock })`).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Keeps a simulated clock still while real work (file or network I/O) is in flight; call the result to release. */
  hold?(): () => void;
}

/** Runs `work` with `clock` held still, for real I/O inside a run on a simulated clock. */
export async function holding<T>(clock: Clock, work: () => Promise<T>): Promise<T> {
  const release = clock.hold?.();
  try {
    return await work();
  } finally {
    release?.();
  }
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A clock that moves only when told to, or, with `auto: true` (the default), jumps to the next
 * timer whenever the program has nothing else to do. Timers fire in time order, ties in the
 * order they were set, so runs on it are deterministic.
 *
 * @example
 * const clock = new SimulatedClock();
 * const result = await run({ task: "…", config, clock });
 * clock.now(); // simulated milliseconds the run took
 */
export class SimulatedClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #auto: boolean;
  #pumping = false;
  #holds = 0;

  constructor(options: { start?: number; auto?: boolean } = {}) {
    this.#now = options.start ?? 0;
    this.#auto = options.auto ?? true;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms || 0), fn });
    if (this.#auto) this.#pump();
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Stops auto-advance until the returned function is called (real I/O is in flight). */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#auto && this.#holds === 0) this.#pump();
    };
  }

  /** Pending timers, for tests that check nothing was left running. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#earliest();
      if (!next || next[1].at > target) break;
      this.#fire(next);
    }
    this.#now = target;
    await settle();
  }

  #earliest(): [number, { at: number; fn: () => void }] | undefined {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of this.#timers) {
      if (!best || entry[1].at < best[1].at) best = entry;
    }
    return best;
  }

  #fire([id, timer]: [number, { at: number; fn: () => void }]): void {
    this.#timers.delete(id);
    this.#now = Math.max(this.#now, timer.at);
    timer.fn();
  }

  // Auto mode: once the program is idle, fire the earliest timer; repeat while timers remain.
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void (async () => {
      try {
        for (;;) {
          await settle();
          if (this.#holds > 0) break;
          const next = this.#earliest();
          if (!next) break;
          this.#fire(next);
        }
      } finally {
        this.#pumping = false;
      }
    })();
  }
}

// Lets pending promise chains and immediate callbacks run before time moves.
async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Resolves after `ms` on `clock`; rejects with the signal's reason when aborted first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
