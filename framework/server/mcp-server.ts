import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLIENT_CAPABILITIES_META_KEY, inputRequired, McpServer, type CallToolResult, type ServerContext } from "@modelcontextprotocol/server";
import { z } from "zod";
import { analyzeRun } from "../analysis/analyze-run.ts";
import { runDirOf } from "./http/run-dir-of.ts";
import { compactAnalysis } from "../analysis/compact-analysis.ts";
import type { Project } from "../project/project.ts";
import { findRunDirs, newestFirst } from "../runs/find-run-dirs.ts";
import { LAUNCH_RUN_SCHEMA, launchRunResult, type LaunchRunArgs } from "../runs/launch-run.ts";
import type { RunResult } from "../runs/run-result.ts";
import type { StatusJson } from "../runs/status-json.ts";
import type { PendingQuery, QueryBoard } from "../runs/query-board.ts";
import type { Launched, RunLauncher } from "./run-launcher.ts";

/**
 * The tools `conclave mcp` serves (docs/architecture.md §9), in the order tools/list gives them.
 *
 * @example
 * expect((await client.listTools()).tools.map((t) => t.name)).toEqual([...MCP_TOOLS]);
 */
export const MCP_TOOLS = ["launch_run", "run_status", "run_result", "cancel_run", "list_runs", "list_queries", "answer_query", "analyze_run"] as const;

/** The most characters of each finding's summary and each recommendation's why in analyze_run's result (the client's context is small). */
export const ANALYSIS_CLIP = 100;

export interface McpServerDeps {
  launcher: RunLauncher;
  queries: QueryBoard;
  /** Where finished runs are read from when this server did not launch them: the project's runs/, else this. */
  project?: Project;
  runsDir?: string;
  version?: string;
  /** How long a question put to the client through elicitation may wait (coordination.timeouts.human), in ms. */
  questionTimeoutMs?: number;
  /** One-line notices of the runs (which backend, missing files), for the person running the server: never the protocol's stdout. */
  onNotice?: (line: string) => void;
}

/** One launch_run call: its runs, its latest progress line, and where that line goes now (see McpLaunches). */
export interface Launch {
  launched: Launched;
  runIds: Set<string>;
  line: string;
  seq: number;
  notify?: (line: string) => void;
  /** Queries already put to the client through elicitation. */
  elicited: Set<string>;
}

/**
 * The launch_run calls a set of server instances share. Over Streamable HTTP each request is
 * served by a fresh instance, so the round that answers a question (its requestState) must find
 * the launch another instance started.
 *
 * @example
 * const launches = createMcpLaunches();
 * createMcpHandler(() => createMcpServer(deps, launches));
 */
export interface McpLaunches {
  byRunId: Map<string, Launch>;
  /** requestState tokens: random, known only to this process, each naming the launch and the query it asked. */
  resumes: Map<string, { launch: Launch; queryId: string }>;
}

/**
 * An empty McpLaunches, for the server instances that serve one endpoint.
 *
 * @example
 * const launches = createMcpLaunches();
 * const serverOf = () => createMcpServer(deps, launches);
 */
export function createMcpLaunches(): McpLaunches {
  return { byRunId: new Map(), resumes: new Map() };
}

const RUN_ID = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "a run id is letters, digits, `-` and `_` (as launch_run and list_runs give it)");

/**
 * The MCP server of `conclave mcp`: launch_run (the session's very schema) and the tools around
 * it. A launch_run call with a progress token gets one compact line per change; an agent's
 * question goes to the client through elicitation when it declared that capability (an enum of
 * the options), else it waits on the query board, announced in a progress line, for answer_query.
 *
 * @example
 * serveStdio(() => createMcpServer({ launcher, queries, project }));
 * // Instances that serve one client across requests (HTTP) share their launches:
 * const launches = createMcpLaunches();
 * createMcpHandler(() => createMcpServer(deps, launches));
 */
export function createMcpServer(deps: McpServerDeps, shared: McpLaunches = createMcpLaunches()): McpServer {
  const server = new McpServer(
    { name: "conclave", version: deps.version ?? "0.0.0" },
    // Each question of a launch is a round of the call; a question waits as long as the board lets it.
    { capabilities: { tools: {} }, inputRequired: { maxRounds: 1000, ...(deps.questionTimeoutMs && { roundTimeoutMs: deps.questionTimeoutMs }) } },
  );
  const { launcher, queries } = deps;
  const { byRunId: launches, resumes } = shared;

  const launchOf = (runId: string) => [...launches.values()].find((l) => l.runIds.has(runId));

  server.registerTool(
    "launch_run",
    {
      description:
        "Hand a task to Conclave's agents: they read the project, answer (and vote, in multi mode), and the winner's changes are written back. Returns a compact result (status, winner and why, files changed, cost, the answer clipped with its path); wait: false returns the run id at once.",
      inputSchema: LAUNCH_RUN_SCHEMA,
    },
    async (args: LaunchRunArgs, ctx: ServerContext): Promise<CallToolResult | ReturnType<typeof inputRequired>> => {
      const canElicit = Boolean(clientCapabilities(server, ctx)?.elicitation);
      let launch: Launch | undefined;
      const state = ctx.mcpReq.requestState<string>();
      if (typeof state === "string") {
        const resumed = resumes.get(state);
        if (!resumed) return toolError("launch_run: this answer belongs to a launch this server does not know (it may have restarted); list_runs shows the runs.");
        resumes.delete(state);
        launch = resumed.launch;
        answerFromElicitation(queries, resumed.queryId, ctx.mcpReq.inputResponses?.[resumed.queryId]);
      } else {
        const hooks = {
          onStatus: (_runId: string, status: StatusJson) => {
            const line = progressLine(status);
            if (launch && line !== launch.line) say(launch, line);
          },
          ...(deps.onNotice && { onNotice: deps.onNotice }),
          onRun: (info: { runId: string }) => launch?.runIds.add(info.runId),
        };
        let launched: Launched;
        try {
          launched = await launcher.launch(args, hooks);
        } catch (error) {
          return toolError(`launch_run: ${(error as Error).message}`);
        }
        launch = { launched, runIds: new Set([launched.runId]), line: "", seq: 0, elicited: new Set() };
        launches.set(launched.runId, launch);
        if (!args.wait) return text({ run_id: launched.runId, status: "running", log_dir: launched.logDir });
      }
      const result = await waitForLaunch(launch, ctx, canElicit);
      if ("query" in result) {
        const token = randomBytes(16).toString("hex");
        resumes.set(token, { launch, queryId: result.query.id });
        launch.elicited.add(result.query.id);
        return inputRequired({ inputRequests: { [result.query.id]: inputRequired.elicit(elicitationOf(result.query)) }, requestState: token });
      }
      if ("error" in result) return toolError(result.error);
      const first = launch.launched.runId;
      return text({ ...launchRunResult(result.done), ...(result.done.run_id !== first && { plan_run_id: first }) });
    },
  );

  // Waits for the launch to end, or for a question of one of its runs the client can be asked (elicitation).
  const waitForLaunch = (launch: Launch, ctx: ServerContext, canElicit: boolean): Promise<{ done: RunResult } | { query: PendingQuery } | { error: string }> => {
    const token = ctx.mcpReq._meta?.progressToken;
    launch.notify =
      token === undefined
        ? undefined
        : (line) => {
            void ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress: ++launch.seq, message: line } }).catch(() => {});
          };
    return new Promise((resolve) => {
      // One outcome per round: the run ending after a round handed a query over must not touch the next round's notifier.
      let over = false;
      const finish = (value: { done: RunResult } | { query: PendingQuery } | { error: string }) => {
        if (over) return;
        over = true;
        unsubscribe();
        ctx.mcpReq.signal.removeEventListener("abort", onAbort);
        launch.notify = undefined;
        resolve(value);
      };
      const offer = (query: PendingQuery) => {
        if (!launch.runIds.has(query.run_id) || launch.elicited.has(query.id)) return;
        if (canElicit) finish({ query });
        else {
          launch.elicited.add(query.id);
          say(launch, `query ${query.id}: ${query.question}${query.options ? ` [${query.options.join(" | ")}]` : ""} (answer_query)`);
        }
      };
      const unsubscribe = queries.subscribe((event) => event.type === "asked" && offer(event.query));
      // A client that stops waiting cancels the run it was waiting for.
      const onAbort = () => {
        // The call is over for the client: no more progress on its token.
        launch.notify = undefined;
        launcher.cancel([...launch.runIds].at(-1)!, "the client cancelled the launch_run call");
      };
      ctx.mcpReq.signal.addEventListener("abort", onAbort, { once: true });
      for (const query of queries.list()) offer(query);
      launch.launched.done.then(
        (done) => finish({ done }),
        (error: unknown) => finish({ error: `launch_run: run ${launch.launched.runId} failed: ${(error as Error).message}` }),
      );
    });
  };

  const say = (launch: Launch, line: string) => {
    launch.line = line;
    launch.notify?.(line);
  };

  server.registerTool(
    "run_status",
    {
      description: "Where a run stands (phase, round, progress, cost); without run_id, every run this server launched that is still running.",
      inputSchema: z.strictObject({ run_id: RUN_ID.optional() }),
    },
    async ({ run_id }) => {
      if (!run_id) return text({ runs: launcher.running().map((id) => statusOf(id)) });
      const status = statusOf(run_id);
      return status ? text(status) : toolError(`run_status \`run_id\`: no run ${run_id} (list_runs lists them).`);
    },
  );

  server.registerTool(
    "run_result",
    {
      description: "The compact result of a finished run (status, winner and why, files changed, cost, the answer clipped with its path); a running run's status.",
      inputSchema: z.strictObject({ run_id: RUN_ID }),
    },
    async ({ run_id }) => {
      const result = launcher.status(run_id)?.result ?? readRunFile<RunResult>(runsDir(), run_id, "result.json");
      if (result) return text(launchRunResult(result));
      const status = statusOf(run_id);
      return status ? text(status) : toolError(`run_result \`run_id\`: no run ${run_id} (list_runs lists them).`);
    },
  );

  server.registerTool(
    "cancel_run",
    {
      description: "Cancel a running run (the rest of its launch too); it ends as cancelled, with what it had.",
      inputSchema: z.strictObject({ run_id: RUN_ID, reason: z.string().optional() }),
    },
    async ({ run_id, reason }) => {
      const target = launchOf(run_id) ? [...launchOf(run_id)!.runIds].at(-1)! : run_id;
      const cancelled = launcher.cancel(target, reason ?? "by the client") || launcher.cancel(run_id, reason ?? "by the client");
      if (!cancelled && !launcher.status(run_id)) return toolError(`cancel_run \`run_id\`: no run ${run_id} was launched by this server (run_status lists the running ones).`);
      return text({ run_id, cancelled });
    },
  );

  server.registerTool(
    "list_runs",
    {
      description: "The runs of the project (or of this server), newest last: id, status, winner, cost, task.",
      inputSchema: z.strictObject({ limit: z.int().min(1).max(200).default(20) }),
    },
    async ({ limit }) => {
      const rows = new Map<string, Record<string, unknown>>();
      for (const entry of deps.project?.runs() ?? []) rows.set(entry.run_id, { run_id: entry.run_id, status: entry.status, winner: entry.winner, cost_usd: entry.cost_usd, task: clip(entry.task, 80) });
      for (const run of launcher.runs()) {
        rows.set(run.run_id, { run_id: run.run_id, status: run.running ? "running" : run.result?.status ?? "failed", winner: run.result?.winner ?? null, cost_usd: run.result?.usage.cost_usd ?? run.status?.usage.cost_usd ?? null, task: clip(run.task, 80) });
      }
      return text({ runs: [...rows.values()].slice(-limit) });
    },
  );

  server.registerTool(
    "list_queries",
    { description: "The agents' questions waiting for an answer (answer them with answer_query)." },
    async () => text({ queries: queries.list() }),
  );

  server.registerTool(
    "answer_query",
    {
      description: "Answer an agent's question: one of its options, or your own words.",
      inputSchema: z.strictObject({ id: z.string().min(1), answer: z.string() }),
    },
    async ({ id, answer }) => {
      try {
        const query = queries.answer(id, answer);
        return text({ id, run_id: query.run_id, answered: true });
      } catch (error) {
        return toolError(`answer_query: ${(error as Error).message}`);
      }
    },
  );

  server.registerTool(
    "analyze_run",
    {
      description:
        "Why a run was slow, costly or went in circles: its findings (kind, severity, summary, agents, rounds), the recommended changes (change, why), and launch_run arguments that rerun the task with them. The whole report, with its evidence: `conclave analyze <run dir> --json`.",
      inputSchema: z.strictObject({ run_id: RUN_ID.describe("The run to analyze (from launch_run or list_runs), or `latest` for the newest run.") }),
    },
    async ({ run_id }) => {
      // Checked as the HTTP API checks a run id: its shape, and a real directory directly in the runs directory.
      const lookup = run_id === "latest" ? undefined : runDirOf(runsDir(), run_id);
      if (lookup && !lookup.ok && lookup.status !== 404) return toolError(`analyze_run \`run_id\`: ${lookup.error.replace(/ Take the id from GET \/api\/runs\.$/, " Take it from list_runs.")}`);
      const dir = run_id === "latest" ? latestRunDir() : lookup?.ok ? lookup.dir : undefined;
      if (!dir || !existsSync(join(dir, "run_description.json"))) {
        return toolError(run_id === "latest" ? "analyze_run `run_id`: latest: there is no run yet (launch_run starts one)." : `analyze_run \`run_id\`: no run ${run_id} (list_runs lists them).`);
      }
      try {
        const { task: _, ...compact } = compactAnalysis(await analyzeRun(dir), { clip: ANALYSIS_CLIP });
        return text(compact);
      } catch (error) {
        return toolError(`analyze_run: ${(error as Error).message}`);
      }
    },
  );

  const runsDir = () => deps.project?.runsDir ?? deps.runsDir ?? ".conclave/runs";
  // The run changed last, as `conclave status latest` picks it.
  const latestRunDir = () => findRunDirs([runsDir()]).sort(newestFirst)[0]?.dir;
  const statusOf = (runId: string): Record<string, unknown> | undefined => {
    const run = launcher.status(runId);
    const status = run?.status ?? readRunFile<StatusJson>(runsDir(), runId, "status.json");
    if (!run && !status) return undefined;
    const result = run?.result;
    return {
      run_id: runId,
      status: run ? (run.running ? "running" : result?.status ?? "failed") : status!.results.status,
      ...(status && { line: progressLine(status), cost_usd: status.usage.cost_usd, elapsed_seconds: status.meta.elapsed_seconds }),
      ...(run?.execute_run_id && { execute_run_id: run.execute_run_id }),
      pending_queries: queries.list().filter((q) => q.run_id === runId).map((q) => q.id),
    };
  };

  return server;
}

/**
 * The compact progress line of a status.json: the active agent, the phase, the round past the first, the percentage.
 *
 * @example
 * progressLine(status); // "beta presentation round 2 85%", or "voting round 2 40%"
 */
export function progressLine(status: StatusJson): string {
  const c = status.coordination;
  return [c.active_agent, c.phase, c.round > 1 ? `round ${c.round}` : "", `${c.completion_percentage}%`].filter(Boolean).join(" ");
}

// The elicitation of a query: a single answer, an enum of its options when it has some.
function elicitationOf(query: PendingQuery) {
  return {
    message: query.context ? `${query.question}\n\n${query.context}` : query.question,
    requestedSchema: {
      type: "object" as const,
      properties: { answer: query.options ? { type: "string" as const, title: "Answer", enum: query.options } : { type: "string" as const, title: "Answer" } },
      required: ["answer"],
    },
  };
}

// An elicitation's response answers the query; declined, cancelled or empty, the agent states its assumption.
function answerFromElicitation(queries: QueryBoard, id: string, response: unknown): void {
  const r = response as { action?: string; content?: { answer?: unknown } } | undefined;
  const answer = r?.action === "accept" && typeof r.content?.answer === "string" ? r.content.answer : "";
  if (!queries.get(id)) return; // Timed out (coordination.timeouts.human) or its run ended meanwhile.
  if (answer.trim()) queries.answer(id, answer);
  else queries.dismiss(id);
}

function clientCapabilities(server: McpServer, ctx: ServerContext): { elicitation?: unknown } | undefined {
  const fromEnvelope = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY];
  return (fromEnvelope as { elicitation?: unknown } | undefined) ?? server.server.getClientCapabilities();
}

function readRunFile<T>(runsDir: string, runId: string, name: string): T | undefined {
  if (!RUN_ID.safeParse(runId).success) return undefined;
  const path = join(runsDir, runId, name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function text(value: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }] };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
