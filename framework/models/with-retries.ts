import { sleep, type Clock } from "../clock.ts";
import { ModelApiError, RateLimitError } from "../errors.ts";

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest `retry-after` honoured; a longer one is capped to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

export interface RetryOptions {
  clock: Clock;
  signal?: AbortSignal;
  policy?: RetryPolicy;
  /** 0 ≤ random() < 1, injected so tests are deterministic. */
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: ModelApiError }) => void;
}

/**
 * Calls `attempt` until it succeeds, a non-retryable error occurs, or the retries run out.
 * Rate limits wait for `retry-after` (capped); other retryable errors back off exponentially
 * with full jitter. Any non-ModelApiError is a bug and passes straight through.
 *
 * @example
 * const turn = await withRetries(() => client.complete(request), { clock, signal });
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const random = options.random ?? Math.random;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof ModelApiError) || !error.retryable || n >= policy.retries || options.signal?.aborted) throw error;
      const delayMs = retryDelay(error, n, policy, random);
      options.onRetry?.({ attempt: n + 1, delayMs, error });
      await sleep(options.clock, delayMs, options.signal);
    }
  }
}

function retryDelay(error: ModelApiError, n: number, policy: RetryPolicy, random: () => number): number {
  if (error instanceof RateLimitError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
