import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Hono, type Context } from "hono";
import { analyzeRun } from "../../analysis/analyze-run.ts";
import { NotARunError } from "../../analysis/not-a-run-error.ts";
import { ConfigError } from "../../errors.ts";
import { packagePath } from "../../package-root.ts";
import type { RunIndexEntry } from "../../project/run-index.ts";
import { findRunDirs } from "../../runs/find-run-dirs.ts";
import { readRunRow } from "../../runs/read-run-row.ts";
import type { QueryBoard } from "../../runs/query-board.ts";
import type { RunLauncher } from "../run-launcher.ts";
import { bodyLimit } from "hono/body-limit";
import { MAX_BODY_BYTES, mountControlRoutes } from "./control-routes.ts";
import type { McpServerDeps } from "../mcp-server.ts";
import { guardRequests, LOOPBACK_HOSTS } from "./guard-requests.ts";
import { mountMcp } from "./mount-mcp.ts";
import { readRunDetail } from "../../runs/read-run-detail.ts";
import { runDirOf } from "./run-dir-of.ts";
import { streamRunEvents } from "./stream-run-events.ts";

/** What createHttpApp() serves and how it is reached. */
export interface HttpAppOptions {
  /** The directory of run directories (`.conclave/runs`, a project's `runs/`). */
  runsDir?: string;
  /** A project directory: its `runs/` is served. One of runsDir and project. */
  project?: string;
  /** The bearer token every request must carry (CONCLAVE_TOKEN); required when `host` is not loopback. */
  token?: string;
  host: string;
  port: number;
  /** Launches and cancels runs for POST /api/runs and /cancel (without it and `queries`, those routes answer 501). */
  launcher?: RunLauncher;
  /** The decision queries GET /api/queries lists and POST /api/queries/<id> answers. */
  queries?: QueryBoard;
  /** The MCP tools to serve over Streamable HTTP at `/mcp` (behind the same guard); none without it. */
  mcp?: McpServerDeps;
}

/**
 * The HTTP API (docs/architecture.md §11), a Hono app: `GET /api/runs` (the runs, newest first),
 * `GET /api/runs/<id>` (status.json, result.json, run_description.json, the answers and votes),
 * `GET /api/runs/<id>/events` (Server-Sent Events: events.jsonl so far, then live, resumable with
 * Last-Event-ID), `GET /api/runs/<id>/analysis` (analyzeRun()'s report). Every request passes guardRequests() first (Origin, Host, bearer token).
 * Throws a ConfigError when `host` is not loopback and there is no token.
 *
 * @example
 * const app = createHttpApp({ runsDir: ".conclave/runs", host: "127.0.0.1", port: 7070 });
 * await serve({ app, host: "127.0.0.1", port: 7070 });
 */
export function createHttpApp(options: HttpAppOptions): Hono {
  if ((options.runsDir === undefined) === (options.project === undefined)) {
    throw new ConfigError(`createHttpApp() needs one of \`runsDir\` and \`project\`, got ${options.runsDir === undefined ? "neither" : "both"}. Pass the directory of run directories, or a project directory.`);
  }
  const runsDir = resolve(options.runsDir ?? join(options.project!, "runs"));
  const token = options.token === "" ? undefined : options.token;
  if (!LOOPBACK_HOSTS.includes(options.host) && token === undefined) {
    throw new ConfigError(
      `serving on host ${options.host} needs a token: anyone who can reach it could read the runs. Set CONCLAVE_TOKEN (clients then send \`Authorization: Bearer <token>\`), or serve on 127.0.0.1.`,
    );
  }
  const app = new Hono();
  app.use("*", guardRequests({ host: options.host, port: options.port, ...(token !== undefined && { token }) }));
  // A body is measured as it arrives, never read whole first (MCP's own limit covers /mcp).
  app.use("/api/*", bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: `the request body is over ${MAX_BODY_BYTES / 1024 / 1024} MB.` }, 413) }));

  if (options.mcp) mountMcp(app, options.mcp);

  app.get("/api/runs", (c) => c.json({ runs: newestFirst(findRunDirs([runsDir]).map((r) => readRunRow(r.dir))) }));

  app.get("/api/runs/:id", (c) => {
    const run = runDirOf(runsDir, c.req.param("id"));
    return run.ok ? c.json(readRunDetail(run.dir)) : c.json({ error: run.error }, run.status);
  });

  // Why the run was slow or went in circles: the AnalysisReport of `conclave analyze --json`.
  app.get("/api/runs/:id/analysis", async (c) => {
    const run = runDirOf(runsDir, c.req.param("id"));
    if (!run.ok) return c.json({ error: run.error }, run.status);
    try {
      return c.json(await analyzeRun(run.dir));
    } catch (error) {
      if (error instanceof NotARunError) return c.json({ error: `run ${run.runId} cannot be analyzed yet: ${error.message}` }, 404);
      throw error;
    }
  });

  app.get("/api/runs/:id/events", (c) => {
    const run = runDirOf(runsDir, c.req.param("id"));
    if (!run.ok) return c.json({ error: run.error }, run.status);
    // HEAD gets the headers only: Hono would run the stream and drop its body, so nothing would ever end it.
    if (c.req.method === "HEAD") return c.body(null, 200, { "content-type": "text/event-stream" });
    return streamRunEvents(c, run.runId, run.dir, c.req.header("last-event-id"), options.queries);
  });

  // Launching, cancelling and answering need the server's launcher and query board (conclave serve gives them).
  if (options.launcher && options.queries) mountControlRoutes(app, { launcher: options.launcher, queries: options.queries });
  else {
    const readOnly = (what: string) => (c: Context) => c.json({ error: `${what} is not served here: this server only reads runs (it was made without a run launcher and a query board).` }, 501);
    app.post("/api/runs", readOnly("POST /api/runs (launch a run)"));
    app.post("/api/runs/:id/cancel", readOnly("POST /api/runs/<id>/cancel"));
    app.get("/api/queries", readOnly("GET /api/queries"));
    app.post("/api/queries/:id", readOnly("POST /api/queries/<id> (answer a query)"));
  }

  // The run viewer (framework/server/viewer/): a page, a script and a style sheet, read once.
  for (const [path, file, type] of VIEWER_FILES) {
    const body = readFileSync(packagePath(`framework/server/viewer/${file}`), "utf8");
    app.get(path, (c) => c.body(body, 200, { "content-type": type, "content-security-policy": "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'", "x-content-type-options": "nosniff" }));
  }

  const routes = "GET /api/runs, POST /api/runs, GET /api/runs/<id>, GET /api/runs/<id>/events, GET /api/runs/<id>/analysis, POST /api/runs/<id>/cancel, GET /api/queries, POST /api/queries/<id>";
  const mcp = options.mcp ? ", MCP (Streamable HTTP) is at /mcp" : "";
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${new URL(c.req.url).pathname}: the API is ${routes}${mcp}, and the viewer is at /.` }, 404));
  app.onError((error, c) => c.json({ error: `the server failed: ${error.message}` }, 500));
  return app;
}

const VIEWER_FILES = [
  ["/", "index.html", "text/html; charset=utf-8"],
  ["/viewer.js", "viewer.js", "text/javascript; charset=utf-8"],
  ["/viewer.css", "viewer.css", "text/css; charset=utf-8"],
] as const;

// Newest first: by start time, then run id (ids begin with the UTC time).
function newestFirst(rows: RunIndexEntry[]): RunIndexEntry[] {
  return rows.sort((a, b) => b.started_at.localeCompare(a.started_at) || b.run_id.localeCompare(a.run_id));
}
