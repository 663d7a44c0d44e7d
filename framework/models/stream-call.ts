import type { Clock } from "../clock.ts";
import { ModelApiError } from "../errors.ts";
import { formatMegabytes } from "../format-megabytes.ts";
import { callName, classifyFailure, modelError, type CallSite, type ProviderFailure } from "./classify-error.ts";
import { startIdleWatchdog } from "./idle-watchdog.ts";
import { describeValue, redactSecrets } from "./redact-secrets.ts";

export interface StreamCallOptions {
  signal?: AbortSignal;
  clock: Clock;
  idleMs: number;
  site: CallSite;
  /** The API key and the credentials in `base_url` (see `secretsOf`), scrubbed from every message that leaves the call. */
  secrets: readonly string[];
  /** Reads an SDK error as a provider failure; undefined for anything that is not the SDK's. */
  readFailure: (error: unknown) => (ProviderFailure & { connection?: boolean }) | undefined;
}

/**
 * The frame of one streaming call, shared by the real backends: links the caller's AbortSignal,
 * aborts a stream that stays quiet longer than `idleMs`, and turns whatever went wrong into one
 * classified ModelApiError whose message never holds the key. `body` calls `touch()` per chunk.
 */
export async function streamCall<T>(options: StreamCallOptions, body: (signal: AbortSignal, touch: () => void) => Promise<T>): Promise<T> {
  const { site, secrets } = options;
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
    const text = redactSecrets(failure?.message ?? (error instanceof Error ? error.message : String(error)), secrets);
    if (failure?.status !== undefined) throw classifyFailure({ ...failure, message: text }, site);
    // An error event inside the stream keeps the provider's type: overloaded stays overloaded.
    if (streaming) throw modelError(/overloaded/i.test(describeValue(failure?.code)) ? "overloaded" : "stream", site, `the stream broke off: ${text}`);
    if (failure) throw classifyFailure({ message: text }, site);
    throw error;
  } finally {
    controller.abort(); // whatever happened, the request and its socket end with the call
    idle.stop();
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** How many bytes of arguments one streamed tool call may send before the stream is aborted. */
export const DEFAULT_MAX_TOOL_ARGUMENT_BYTES = 16_000_000;

/**
 * Counts the bytes of one tool call's streamed arguments and throws, ending the stream, once
 * they pass `cap`: a reply that would hold gigabytes of arguments is never buffered whole. The
 * error is not retryable (the same request would stream the same reply) and names the cap.
 *
 * @example
 * const count = toolArgumentCounter(site, 16_000_000);
 * count(0, "write_file", delta); // throws ModelApiError "… tool arguments over 16 MB …"
 */
export function toolArgumentCounter(site: CallSite, cap: number): (call: number, name: string, delta: string) => void {
  const sizes = new Map<number, number>();
  return (call, name, delta) => {
    const size = (sizes.get(call) ?? 0) + Buffer.byteLength(delta);
    sizes.set(call, size);
    if (size <= cap) return;
    const detail = `${callName(site)}: tool arguments over ${formatMegabytes(cap)}: the reply's \`${name || "(unnamed)"}\` call streamed more than ${cap} bytes of arguments, so the stream was aborted and the reply not used`;
    throw new ModelApiError(
      "bad_request",
      `${detail}. Ask for smaller steps (a large file in several writes), or raise \`CONCLAVE_MAX_TOOL_ARGS_MB\`.`,
      { detail },
    );
  };
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
