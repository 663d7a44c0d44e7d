import type { Clock } from "../clock.ts";
import { ModelApiError } from "../errors.ts";
import { callName, classifyFailure, modelError, redact, type CallSite, type ProviderFailure } from "./classify-error.ts";
import { startIdleWatchdog } from "./idle-watchdog.ts";

export interface StreamCallOptions {
  signal?: AbortSignal;
  clock: Clock;
  idleMs: number;
  site: CallSite;
  /** The API key, scrubbed from every message that leaves the call. */
  secret?: string;
  /** Reads an SDK error as a provider failure; undefined for anything that is not the SDK's. */
  readFailure: (error: unknown) => (ProviderFailure & { connection?: boolean }) | undefined;
}

/**
 * The frame of one streaming call, shared by the real backends: links the caller's AbortSignal,
 * aborts a stream that stays quiet longer than `idleMs`, and turns whatever went wrong into one
 * classified ModelApiError whose message never holds the key. `body` calls `touch()` per chunk.
 */
export async function streamCall<T>(options: StreamCallOptions, body: (signal: AbortSignal, touch: () => void) => Promise<T>): Promise<T> {
  const { site, secret } = options;
  const who = callName(site);
  if (options.signal?.aborted) throw new ModelApiError("aborted", `${who}: call aborted`);
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const idle = startIdleWatchdog(options.clock, options.idleMs, () => controller.abort(new Error("idle timeout")));
  let streaming = false;
  try {
    return await body(controller.signal, () => {
      streaming = true;
      idle.touch();
    });
  } catch (error) {
    if (error instanceof ModelApiError) throw error;
    if (options.signal?.aborted) throw new ModelApiError("aborted", `${who}: call aborted`, { cause: error });
    if (idle.fired) throw modelError("idle_timeout", site, `no data for ${options.idleMs / 1000} s (\`coordination.timeouts.idle\`); the call was aborted`);
    const failure = options.readFailure(error);
    const text = redact(failure?.message ?? (error instanceof Error ? error.message : String(error)), secret);
    if (failure?.status !== undefined) throw classifyFailure({ ...failure, message: text }, site);
    // An error event inside the stream keeps the provider's type: overloaded stays overloaded.
    if (streaming) throw modelError(/overloaded/i.test(failure?.code ?? "") ? "overloaded" : "stream", site, `the stream broke off: ${text}`);
    if (failure) throw classifyFailure({ message: text }, site);
    throw error;
  } finally {
    idle.stop();
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** Parses a tool call's JSON arguments after the stream ends; undefined when they do not parse. */
export function parseArguments(raw: string): unknown {
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
