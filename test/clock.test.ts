import { describe, expect, it } from "vitest";
import { SimulatedClock, holding, sleep } from "../framework/clock.ts";

describe("SimulatedClock", () => {
  it("jumps to the next timer when nothing else is going on", async () => {
    const clock = new SimulatedClock();
    await sleep(clock, 60_000);
    expect(clock.now()).toBe(60_000);
  });

  it("stands still while real work holds it, and moves on when released", async () => {
    const clock = new SimulatedClock();
    let fired = false;
    clock.setTimeout(() => (fired = true), 1_000);
    const work = holding(clock, () => new Promise<string>((resolve) => setTimeout(() => resolve("done"), 30)));
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBe(false);
    expect(clock.now()).toBe(0);
    expect(await work).toBe("done");
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBe(true);
    expect(clock.now()).toBe(1_000);
  });

  it("fires timers in time order, ties in the order they were set", async () => {
    const clock = new SimulatedClock({ auto: false });
    const order: string[] = [];
    clock.setTimeout(() => order.push("b"), 20);
    clock.setTimeout(() => order.push("a1"), 10);
    clock.setTimeout(() => order.push("a2"), 10);
    await clock.advance(25);
    expect(order).toEqual(["a1", "a2", "b"]);
    expect(clock.now()).toBe(25);
  });
});
