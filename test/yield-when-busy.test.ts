import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { yieldWhenBusy } from "../framework/yield-when-busy.ts";

// Keeps the thread busy for `ms` of wall time, as a run's synchronous work on a reply does.
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe("yieldWhenBusy()", () => {
  it("admits 100 callers that each work 1 ms over many turns of the event loop, with a timer served in between", async () => {
    const order: string[] = [];
    let timerFired = false;
    setTimeout(() => {
      timerFired = true;
      order.push("timer");
    }, 0);
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        await yieldWhenBusy();
        order.push(`caller ${i}`);
        busy(1);
      }),
    );
    expect(timerFired).toBe(true);
    // In order of arrival; the timer came within the first few slices, not after the hundred callers.
    expect(order.filter((o) => o !== "timer")).toEqual(Array.from({ length: 100 }, (_, i) => `caller ${i}`));
    expect(order.indexOf("timer")).toBeLessThan(8);
  });
});
