/** One Server-Sent Event as a client receives it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** An open event stream: the events so far, waiting for more, and closing it. */
export interface SseClient {
  status: number;
  headers: Headers;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** Resolves once `predicate` holds for the events received (checked on each event); rejects after `timeoutMs` or when the stream ends first. */
  until(predicate: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves when the server has ended the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * Opens `url` with node's fetch and parses its text/event-stream body as the EventSource spec
 * does (`id:`, `event:`, `data:` lines, a blank line ends an event, `:` lines are comments).
 *
 * @example
 * const client = await openSse(`${url}/api/runs/${id}/events`);
 * await client.until((events) => events.some((e) => e.event === "complete"));
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let done = false;
  let failure: unknown;
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = "";
    let current: { id?: string; event?: string; data: string[] } = { data: [] };
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
          const line = buffer.slice(0, end).replace(/\r$/, "");
          buffer = buffer.slice(end + 1);
          if (line === "") {
            if (current.data.length > 0) events.push({ ...(current.id !== undefined && { id: current.id }), event: current.event ?? "message", data: current.data.join("\n") });
            current = { data: [] };
            for (const w of [...waiters]) w();
            continue;
          }
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") current.id = value;
          else if (field === "event") current.event = value;
          else if (field === "data") current.data.push(value);
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) failure = error;
    } finally {
      done = true;
      for (const w of [...waiters]) w();
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    events,
    ended,
    until(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(events)) finish(() => resolve(events));
          else if (done) finish(() => reject(new Error(`the stream ended before the condition held; received ${events.length} events: ${events.map((e) => `${e.id ?? "-"} ${e.event}`).join(", ")}${failure ? `; ${String(failure)}` : ""}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms; received ${events.length} events: ${events.map((e) => `${e.id ?? "-"} ${e.event}`).join(", ")}`))), timeoutMs);
        const finish = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
