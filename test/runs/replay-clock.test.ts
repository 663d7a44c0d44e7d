import { describe, expect, it } from "vitest";
import { SimulatedClock, sleep } from "../../framework/clock.ts";
import { ReplayClock } from "../../framework/runs/replay-clock.ts";

describe("ReplayClock", () => {
  it("jumps through the timers due by the horizon, then goes live from the horizon on the base clock", async () => {
    const base = new SimulatedClock({ start: 1_000_000 });
    let live = 0;
    const clock = new ReplayClock(base, 5_000, () => live++);
    const seen: [string, number, number][] = [];
    const at = (name: string) => () => seen.push([name, clock.now(), base.now()]);
    clock.setTimeout(at("replayed at 3 s"), 3_000);
    clock.setTimeout(at("replayed at 5 s"), 5_000);
    clock.setTimeout(at("live at 8 s"), 8_000);
    expect(clock.replaying).toBe(true);
    await sleep(clock, 9_000);
    // The first two fire in replay time, with the base clock still; the third 3 s after the clock went live at 5 s.
    expect(seen).toEqual([
      ["replayed at 3 s", 3_000, 1_000_000],
      ["replayed at 5 s", 5_000, 1_000_000],
      ["live at 8 s", 8_000, 1_003_000],
    ]);
    expect(clock.replaying).toBe(false);
    expect(live).toBe(1);
    expect(clock.now()).toBe(9_000);
  });

  it("does not move while held (real I/O in flight), and a cleared timer never fires", async () => {
    const clock = new ReplayClock(new SimulatedClock(), 10_000);
    const release = clock.hold();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("kept"), 1_000);
    const handle = clock.setTimeout(() => fired.push("cleared"), 500);
    clock.clearTimeout(handle);
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect([clock.now(), fired]).toEqual([0, []]);
    release();
    await sleep(clock, 2_000);
    expect(fired).toEqual(["kept"]);
  });
});

describe("ReplayClock.liveTimers()", () => {
  it("starts a timer set while replaying only once the clock is live, and clears it either side", async () => {
    const clock = new ReplayClock(new SimulatedClock(), 60_000);
    const live = clock.liveTimers();
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(["replayed", clock.now()]), 50_000);
    live.setTimeout(() => fired.push(["idle watchdog", clock.now()]), 30_000);
    live.clearTimeout(live.setTimeout(() => fired.push(["cleared", clock.now()]), 10_000));
    await sleep(clock, 100_000);
    // The watchdog, set at 0 while replaying, fires 30 s after the clock went live at 60 s, not at 30 s.
    expect(fired).toEqual([
      ["replayed", 50_000],
      ["idle watchdog", 90_000],
    ]);
  });
});
