import type { Context, Hono } from "hono";
import { ConfigError } from "../../errors.ts";
import { launchRunResult, parseLaunchRun } from "../../runs/launch-run.ts";
import type { QueryBoard } from "../../runs/query-board.ts";
import type { RunLauncher } from "../run-launcher.ts";
import { RUN_ID_PATTERN } from "./run-dir-of.ts";

/** The most a request body to the API may hold. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The routes that change things, on the same launcher and query board as the MCP tools:
 * `POST /api/runs` (launch_run's arguments as JSON; `wait: false` answers at once with the run
 * id, else with the compact result), `POST /api/runs/<id>/cancel`, `GET /api/queries` (the
 * pending decision queries; `?run_id=` for one run's) and `POST /api/queries/<id>`
 * (`{ "answer": "…" }`). A bad body is 400 with the field named.
 *
 * @example
 * mountControlRoutes(app, { launcher, queries });
 */
export function mountControlRoutes(app: Hono, deps: { launcher: RunLauncher; queries: QueryBoard }): void {
  const { launcher, queries } = deps;

  app.post("/api/runs", async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const parsed = parseLaunchRun(body.value);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    let launched;
    try {
      launched = await launcher.launch(parsed.args);
    } catch (error) {
      if (error instanceof ConfigError) return c.json({ error: error.message }, 400);
      throw error;
    }
    if (!parsed.args.wait) return c.json({ run_id: launched.runId, status: "running", log_dir: launched.logDir }, 202);
    // A client that goes away while it waits cancels the run it waited for.
    const gone = () => launcher.cancel(launched.runId, "cancelled: the HTTP client went away");
    c.req.raw.signal.addEventListener("abort", gone, { once: true });
    try {
      const result = await launched.done;
      return c.json({ ...launchRunResult(result), ...(result.run_id !== launched.runId && { plan_run_id: launched.runId }) });
    } finally {
      c.req.raw.signal.removeEventListener("abort", gone);
    }
  });

  app.post("/api/runs/:id/cancel", (c) => {
    const id = c.req.param("id");
    if (!RUN_ID_PATTERN.test(id)) return c.json({ error: `run id ${JSON.stringify(id.slice(0, 80))} is not a run id: take it from GET /api/runs.` }, 400);
    if (!launcher.status(id)) return c.json({ error: `run ${id} was not launched by this server, so it cannot cancel it.` }, 404);
    return c.json({ run_id: id, cancelled: launcher.cancel(id, "through the HTTP API") });
  });

  app.get("/api/queries", (c) => {
    const runId = c.req.query("run_id");
    return c.json({ queries: queries.list().filter((q) => runId === undefined || q.run_id === runId) });
  });

  app.post("/api/queries/:id", async (c) => {
    const id = c.req.param("id");
    if (!queries.get(id)) return c.json({ error: `no pending query ${JSON.stringify(id.slice(0, 40))}: it was answered, timed out, or never asked. GET /api/queries lists the pending ones.` }, 404);
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const answer = (body.value as { answer?: unknown } | null)?.answer;
    if (typeof answer !== "string") return c.json({ error: '`answer`: expected the answer as text, e.g. {"answer": "JWT"}' }, 400);
    try {
      return c.json({ answered: queries.answer(id, answer), answer });
    } catch (error) {
      if (error instanceof ConfigError) return c.json({ error: error.message }, 400);
      throw error;
    }
  });
}

// The request's JSON body, at most MAX_BODY_BYTES, or why not.
async function jsonBody(c: Context): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { ok: false, error: `the body is over ${MAX_BODY_BYTES / 1024 / 1024} MB` };
  try {
    return { ok: true, value: JSON.parse(text || "{}") };
  } catch (error) {
    return { ok: false, error: `the body is not JSON: ${(error as Error).message}` };
  }
}
