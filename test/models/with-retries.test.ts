import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { ModelApiError, RateLimitError, type ModelErrorKind } from "../../framework/errors.ts";
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from "../../framework/models/with-retries.ts";

const policy: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

// An attempt function that throws `errors` in order, then returns "ok"; it records when each attempt ran.
function flaky(clock: SimulatedClock, errors: unknown[]) {
  const startedAt: number[] = [];
  const attempt = async (n: number): Promise<string> => {
    startedAt.push(clock.now());
    expect(n).toBe(startedAt.length - 1);
    const error = errors[n];
    if (error !== undefined) throw error;
    return "ok";
  };
  return { attempt, startedAt };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

function fail(kind: ModelErrorKind, n = 0): ModelApiError {
  return new ModelApiError(kind, `${kind} #${n}`);
}

describe("withRetries()", () => {
  it("returns the first success without waiting", async () => {
    const clock = new SimulatedClock();
    const { attempt, startedAt } = flaky(clock, []);
    expect(await withRetries(attempt, { clock, policy })).toBe("ok");
    expect(startedAt).toEqual([0]);
  });

  it("retries a retryable error and returns the later success", async () => {
    const clock = new SimulatedClock();
    const { attempt, startedAt } = flaky(clock, [fail("overloaded"), fail("server")]);
    expect(await withRetries(attempt, { clock, policy, random: () => 0 })).toBe("ok");
    expect(startedAt).toHaveLength(3);
  });

  it.each(["rate_limit", "overloaded", "server", "connection", "stream", "idle_timeout"] as const)(
    "retries a %s error up to policy.retries times, then throws the last error",
    async (kind) => {
      const clock = new SimulatedClock();
      const errors = [0, 1, 2, 3, 4, 5].map((n) => fail(kind, n));
      const { attempt, startedAt } = flaky(clock, errors);
      const error = await rejectionOf(withRetries(attempt, { clock, policy, random: () => 0 }));
      expect(error).toBe(errors[3]);
      expect(startedAt).toHaveLength(policy.retries + 1);
    },
  );

  it.each(["auth", "bad_request", "permission", "context_length", "refusal", "truncated", "spend_limit", "timeout", "aborted"] as const)(
    "throws a %s error on the first attempt",
    async (kind) => {
      const clock = new SimulatedClock();
      const error = fail(kind);
      const { attempt, startedAt } = flaky(clock, [error]);
      expect(await rejectionOf(withRetries(attempt, { clock, policy }))).toBe(error);
      expect(startedAt).toEqual([0]);
    },
  );

  it("passes an error that is not a ModelApiError straight through", async () => {
    const clock = new SimulatedClock();
    const bug = new TypeError("undefined is not a function");
    const { attempt, startedAt } = flaky(clock, [bug]);
    expect(await rejectionOf(withRetries(attempt, { clock, policy }))).toBe(bug);
    expect(startedAt).toHaveLength(1);
  });

  it("does not retry at all with retries: 0", async () => {
    const clock = new SimulatedClock();
    const error = fail("overloaded");
    const { attempt, startedAt } = flaky(clock, [error]);
    expect(await rejectionOf(withRetries(attempt, { clock, policy: { ...policy, retries: 0 } }))).toBe(error);
    expect(startedAt).toHaveLength(1);
  });

  it("waits exactly retryAfterMs after a rate limit", async () => {
    const clock = new SimulatedClock({ auto: false });
    const { attempt, startedAt } = flaky(clock, [new RateLimitError("slow down", { status: 429, retryAfterMs: 1_234 })]);
    const delays: number[] = [];
    const result = withRetries(attempt, { clock, policy, random: () => 0.99, onRetry: ({ delayMs }) => delays.push(delayMs) });
    await clock.advance(1_233);
    expect(startedAt).toEqual([0]);
    await clock.advance(1);
    expect(await result).toBe("ok");
    expect(startedAt).toEqual([0, 1_234]);
    expect(delays).toEqual([1_234]);
  });

  it("caps a long retry-after at maxRetryAfterMs", async () => {
    const clock = new SimulatedClock();
    const { attempt, startedAt } = flaky(clock, [new RateLimitError("slow down", { retryAfterMs: 3_600_000 })]);
    expect(await withRetries(attempt, { clock, policy })).toBe("ok");
    expect(startedAt).toEqual([0, policy.maxRetryAfterMs]);
  });

  it("backs off like any other error after a rate limit that gives no retry-after", async () => {
    const clock = new SimulatedClock();
    const { attempt, startedAt } = flaky(clock, [new RateLimitError("slow down")]);
    expect(await withRetries(attempt, { clock, policy, random: () => 0.5 })).toBe("ok");
    expect(startedAt).toEqual([0, 75]);
  });

  it("backs off exponentially with jitter, capped at maxDelayMs", async () => {
    const clock = new SimulatedClock();
    const errors = [0, 1, 2, 3, 4, 5].map((n) => fail("server", n));
    const { attempt, startedAt } = flaky(clock, errors);
    const retries: { attempt: number; delayMs: number; error: ModelApiError }[] = [];
    const error = await rejectionOf(
      withRetries(attempt, { clock, policy: { ...policy, retries: 5 }, random: () => 0.5, onRetry: (info) => retries.push(info) }),
    );
    expect(error).toBe(errors[5]);
    // ceiling = min(1000, 100·2^n); delay = ceiling/2 + random()·ceiling/2 = 0.75·ceiling
    expect(retries.map((r) => r.delayMs)).toEqual([75, 150, 300, 600, 750]);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(retries.map((r) => r.error)).toEqual(errors.slice(0, 5));
    expect(startedAt).toEqual([0, 75, 225, 525, 1_125, 1_875]);
  });

  it("keeps each backoff between half and all of its ceiling", async () => {
    const delaysFor = async (random: () => number) => {
      const clock = new SimulatedClock();
      const { attempt } = flaky(clock, [fail("server", 0), fail("server", 1)]);
      const delays: number[] = [];
      await withRetries(attempt, { clock, policy, random, onRetry: ({ delayMs }) => delays.push(delayMs) });
      return delays;
    };
    expect(await delaysFor(() => 0)).toEqual([50, 100]);
    expect(await delaysFor(() => 0.999999)).toEqual([100, 200]);
  });

  it("uses DEFAULT_RETRY_POLICY when no policy is given", async () => {
    const clock = new SimulatedClock();
    const errors = [0, 1, 2, 3, 4].map((n) => fail("connection", n));
    const { attempt, startedAt } = flaky(clock, errors);
    const delays: number[] = [];
    await rejectionOf(withRetries(attempt, { clock, random: () => 0.5, onRetry: ({ delayMs }) => delays.push(delayMs) }));
    expect(startedAt).toHaveLength(DEFAULT_RETRY_POLICY.retries + 1);
    expect(delays).toEqual([375, 750, 1_500]);
  });

  it("rejects with the abort reason when aborted during a backoff, and makes no further attempt", async () => {
    const clock = new SimulatedClock({ auto: false });
    const controller = new AbortController();
    const { attempt, startedAt } = flaky(clock, [fail("overloaded")]);
    const result = rejectionOf(withRetries(attempt, { clock, policy, signal: controller.signal, random: () => 0.5 }));
    await clock.advance(50);
    const reason = new Error("run cancelled");
    controller.abort(reason);
    expect(await result).toBe(reason);
    await clock.advance(10_000);
    expect(startedAt).toEqual([0]);
    expect(clock.pending).toBe(0);
  });

  it("throws a retryable error at once when the signal is already aborted", async () => {
    const clock = new SimulatedClock();
    const controller = new AbortController();
    controller.abort();
    const error = fail("overloaded");
    const { attempt, startedAt } = flaky(clock, [error]);
    expect(await rejectionOf(withRetries(attempt, { clock, policy, signal: controller.signal }))).toBe(error);
    expect(startedAt).toEqual([0]);
  });
});
