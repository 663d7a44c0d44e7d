import { join } from "node:path";
import type { Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { readRunRow } from "../../runs/read-run-row.ts";
import type { RunResult } from "../../runs/run-result.ts";
import type { QueryBoard } from "../../runs/query-board.ts";
import { createJournalTail } from "./journal-tail.ts";
import { readRunJson } from "../../runs/read-run-file.ts";
import { createRunProgress, type RunShape } from "./run-progress.ts";
import { watchRunDir } from "./watch-run-dir.ts";

/** The `complete` wire shape (docs/architecture.md §11), the stream's last event. */
export interface CompleteMessage {
  type: "complete";
  run_id: string;
  result: { status: string; winner: string | null; files_modified: string[]; cost_usd: number | null; final_answer_path: string | null };
}

/** The id of the `complete` event: a client that reconnects with it is answered 204, which ends an EventSource for good. */
export const END_EVENT_ID = "end";
/** How long, after result.json appears, the stream waits for events.jsonl's last line (`run.finished`, appended just after). */
const FINISH_GRACE_MS = 2_000;
/** How often a run with no result.json is checked for being abandoned (its process gone). */
const LIVENESS_EVERY_MS = 2_000;
/** A comment line this often keeps idle connections (and proxies) open. */
const KEEPALIVE_MS = 15_000;

/**
 * GET /api/runs/<id>/events: a run's events.jsonl as Server-Sent Events. Every line so far, then
 * each line as the run appends it, each as an event whose `id` is its 1-based line number, whose
 * `event` is its type (`run.phase`, `run.agent.voted`…) and whose `data` is the line's JSON. A
 * `progress` event (no id) follows each line that moves the run on. When result.json is there and
 * the last line written, a `complete` event (id `end`) ends the stream; a run abandoned (its
 * process gone) ends the same way, with status `abandoned`. With `Last-Event-ID: N` only the lines
 * after N are sent. A line still being written is held until its newline. With the server's
 * query board, the run's decision queries come too: each pending one as a `query` event (the wire
 * shape, no id: a reconnect is sent the ones still pending), and `query.settled` once answered.
 *
 * @example
 * app.get("/api/runs/:id/events", (c) => streamRunEvents(c, runId, dir, c.req.header("last-event-id")));
 */
export function streamRunEvents(c: Context, runId: string, dir: string, lastEventId: string | undefined, queries?: QueryBoard): Response {
  if (lastEventId === END_EVENT_ID) return c.body(null, 204);
  const after = lastEventId === undefined || lastEventId === "" ? 0 : Number(lastEventId);
  if (!Number.isSafeInteger(after) || after < 0) {
    return c.json({ error: `Last-Event-ID ${JSON.stringify(lastEventId)} is not an event id: expected the line number of an event this stream sent (1, 2, …), or "end".` }, 400);
  }
  c.header("Cache-Control", "no-cache");
  c.header("X-Accel-Buffering", "no");
  return streamSSE(c, async (stream) => {
    const tail = createJournalTail(join(dir, "events.jsonl"));
    const progress = createRunProgress(runId, readRunJson<RunShape>(dir, "run_description.json"));
    let dirty = true;
    let wake: (() => void) | undefined;
    const poke = () => {
      dirty = true;
      wake?.();
    };
    const stop = watchRunDir(dir, poke);
    // The run's decision queries: those pending now, then each asked or settled, sent from the loop below.
    const asked: { event: string; data: string }[] = (queries?.list() ?? []).filter((q) => q.run_id === runId).map((q) => ({ event: "query", data: JSON.stringify(q) }));
    const pending = new Set<string>();
    const unsubscribe = queries?.subscribe((e) => {
      if (e.type === "asked" && e.query.run_id === runId) {
        pending.add(e.query.id);
        asked.push({ event: "query", data: JSON.stringify(e.query) });
      } else if (e.type === "settled" && pending.delete(e.id)) asked.push({ event: "query.settled", data: JSON.stringify({ type: "query.settled", id: e.id, run_id: runId, answer: e.answer }) });
      else return;
      poke();
    });
    for (const q of asked) pending.add((JSON.parse(q.data) as { id: string }).id);
    stream.onAbort(poke);
    const keepalive = setInterval(() => void stream.write(": keepalive\n\n").catch(() => undefined), KEEPALIVE_MS);
    keepalive.unref();
    let finishedLine = false;
    let resultSeenAt: number | undefined;
    let livenessAt = Date.now();
    try {
      while (!stream.aborted) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        dirty = false;
        if (stream.aborted) break;
        for (const message of asked.splice(0)) await send(stream, message);
        for (const line of await tail.read()) {
          let event: Record<string, unknown>;
          try {
            event = JSON.parse(line.text) as Record<string, unknown>;
          } catch {
            event = { type: "unparsed", text: line.text };
          }
          if (event.type === "run.finished") finishedLine = true;
          const moved = progress.feed(event);
          if (line.n <= after) continue;
          await send(stream, { id: String(line.n), event: eventName(event.type), data: JSON.stringify(event) });
          if (moved) await send(stream, { event: "progress", data: JSON.stringify(moved) });
        }
        const result = readRunJson<RunResult>(dir, "result.json");
        if (result) {
          resultSeenAt ??= Date.now();
          if (finishedLine || Date.now() - resultSeenAt > FINISH_GRACE_MS) {
            for (const message of asked.splice(0)) await send(stream, message);
            await send(stream, { id: END_EVENT_ID, event: "complete", data: JSON.stringify(completeOf(runId, result)) });
            break;
          }
        } else if (Date.now() - livenessAt >= LIVENESS_EVERY_MS) {
          livenessAt = Date.now();
          const row = readRunRow(dir);
          if (row.status === "abandoned") {
            const abandoned: CompleteMessage = { type: "complete", run_id: runId, result: { status: "abandoned", winner: row.winner, files_modified: [], cost_usd: row.cost_usd, final_answer_path: null } };
            await send(stream, { id: END_EVENT_ID, event: "complete", data: JSON.stringify(abandoned) });
            break;
          }
        }
      }
    } finally {
      unsubscribe?.();
      clearInterval(keepalive);
      stop();
      await tail.close();
    }
  });
}

/** The `complete` message of a finished run, from its result.json. */
export function completeOf(runId: string, result: RunResult): CompleteMessage {
  return {
    type: "complete",
    run_id: runId,
    result: { status: result.status, winner: result.winner, files_modified: result.changes?.files ?? [], cost_usd: result.usage?.cost_usd ?? null, final_answer_path: result.final_answer_path },
  };
}

// An SSE event name from an event's type; anything else (a foreign line) is a plain `journal` event.
function eventName(type: unknown): string {
  return typeof type === "string" && /^[a-z][a-z0-9._-]{0,63}$/i.test(type) ? type : "journal";
}

// A write to a client that has gone is dropped; the loop sees `aborted` and ends.
async function send(stream: SSEStreamingApi, message: { id?: string; event: string; data: string }): Promise<void> {
  if (stream.aborted) return;
  await stream.writeSSE(message).catch(() => undefined);
}
