import { spawn } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { MCP_HELP } from "../../framework/runner/command-help.ts";
import { run } from "../../framework/runs/run.ts";
import { circling } from "../fixtures/analysis/scenarios.ts";
import { tempDir } from "../project/temp-dir.ts";
import { CLI, cliEnv, REPO } from "../support/cli-process.ts";
import { connectMcp, json, textOf } from "./mcp-support.ts";

// `conclave mcp` as a real child process, driven by the official MCP client (no elicitation capability).
let mcp: Awaited<ReturnType<typeof connectMcp>>;

beforeAll(async () => {
  mcp = await connectMcp(tempDir("conclave-mcp-"));
}, 30_000);

afterAll(async () => {
  await mcp?.client.close();
});

describe("conclave mcp", () => {
  it("lists exactly its eight tools, launch_run with the session's schema", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["launch_run", "run_status", "run_result", "cancel_run", "list_runs", "list_queries", "answer_query", "analyze_run"]);
    // `conclave mcp --help` names the same tools.
    const named = /Tools: ([^.]+)\./.exec(MCP_HELP.replace(/\s+/g, " "))![1]!.split(", ");
    expect(named).toEqual(tools.map((t) => t.name));
    const launch = tools[0]!;
    expect(launch.inputSchema.required).toEqual(["task"]);
    expect(Object.keys(launch.inputSchema.properties ?? {})).toEqual([
      "task", "context", "agent_mode", "agents", "refinement", "planning_mode", "execute_after_planning", "context_paths", "agent_system_prompts", "coordination_overrides", "wait",
    ]);
  });

  it("analyzes a run that circled (by id, and as latest) in about 1,300 characters, with launch_run arguments to rerun it; a bad or unknown run id is an error naming run_id", async () => {
    const circled = await run({ task: "Design a cache for the API", config: circling(), runsDir: mcp.project.runsDir, clock: new SimulatedClock(), env: {} });
    const result = await mcp.client.callTool({ name: "analyze_run", arguments: { run_id: circled.run_id } });
    expect(result.isError).toBeFalsy();
    const analysis = json(result);
    expect(analysis).toMatchObject({ run_id: circled.run_id, status: "completed", winner: "beta", rounds: 6 });
    expect((analysis.findings as { kind: string; severity: string; agents: string[]; rounds: number[] }[]).map((f) => [f.kind, f.severity, f.agents, f.rounds])).toEqual([
      ["circling", "critical", ["alpha", "gamma"], [2, 3, 4, 5]],
      ["split_on_minor_differences", "warning", ["alpha", "gamma"], [2, 3, 4, 5, 6]],
      ["redundant_agent", "warning", ["gamma", "alpha"], [1, 2, 3, 4, 5]],
    ]);
    expect((analysis.recommendations as { change: string }[]).map((r) => r.change)).toEqual(["coordination.max_rounds: 2", "coordination.voting: lenient", "--agents alpha,beta"]);
    expect(analysis.launch_run).toEqual({ coordination_overrides: { max_rounds: 2, voting: "lenient" }, agents: ["alpha", "beta"] });
    // Three findings and three changes, each text clipped at 100 characters, no evidence, no metrics: about 330 tokens.
    expect((analysis.findings as { summary: string }[]).map((f) => f.summary.length)).toEqual([100, 100, 100]);
    expect(textOf(result).length).toBeLessThan(1400);
    expect(json(await mcp.client.callTool({ name: "analyze_run", arguments: { run_id: "latest" } }))).toEqual(analysis);

    const traversal = await mcp.client.callTool({ name: "analyze_run", arguments: { run_id: "../etc" } });
    expect(textOf(traversal)).toBe("Input validation error: Invalid arguments for tool analyze_run: run_id: a run id is letters, digits, `-` and `_` (as launch_run and list_runs give it)");
    const unknown = await mcp.client.callTool({ name: "analyze_run", arguments: { run_id: "20261202-000000-000000000000" } });
    expect(unknown).toMatchObject({ isError: true });
    expect(textOf(unknown)).toBe("analyze_run `run_id`: no run 20261202-000000-000000000000 (list_runs lists them).");
    // A link in the runs directory is refused as the HTTP API refuses it, wherever it points.
    symlinkSync(circled.log_dir, join(mcp.project.runsDir, "20261202-000000-00000000000a"));
    const linked = await mcp.client.callTool({ name: "analyze_run", arguments: { run_id: "20261202-000000-00000000000a" } });
    expect([linked.isError, textOf(linked)]).toEqual([true, "analyze_run `run_id`: run 20261202-000000-00000000000a is not served: its entry in the runs directory is a symbolic link, and only real run directories are."]);
    const missing = await mcp.client.callTool({ name: "analyze_run", arguments: {} });
    expect(textOf(missing)).toMatch(/^Input validation error: Invalid arguments for tool analyze_run: run_id: /);
  }, 30_000);

  it("streams one compact progress line per change, in order, then returns the compact result", async () => {
    const lines: string[] = [];
    const progress: number[] = [];
    const result = await mcp.client.callTool(
      { name: "launch_run", arguments: { task: "Name two risks of caching", agents: ["alpha", "beta"] } },
      { onprogress: (p) => (lines.push(p.message ?? ""), progress.push(p.progress)), timeout: 60_000 },
    );
    expect(result.isError).toBeFalsy();
    const compact = json(result);
    expect(compact).toMatchObject({ status: "completed", winner: expect.stringMatching(/^(alpha|beta)$/), files_changed: [], conflicts: [] });
    expect(Object.keys(compact).sort()).toEqual(["answer", "conflicts", "cost_usd", "elapsed_seconds", "files_changed", "log_dir", "run_id", "status", "winner", "winner_reason"]);
    expect(lines.length).toBeGreaterThan(1);
    // Each line differs from the one before, the progress counter only grows, and the last is the finished run's.
    lines.forEach((line, i) => expect(line).not.toBe(lines[i - 1]));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    for (const line of lines) expect(line).toMatch(/^(\w+ )?(starting|planning|generation|voting|presentation|finalization)( round \d+)? \d+%$/);
    expect(lines.at(-1)).toMatch(/^finalization( round \d+)? 100%$/);
    const percents = lines.map((l) => Number(/(\d+)%$/.exec(l)![1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  }, 60_000);

  it("with wait: false returns the run id at once; run_status and run_result follow it", async () => {
    const started = json(await mcp.client.callTool({ name: "launch_run", arguments: { task: "Name one risk", agent_mode: "single", agents: ["alpha"], wait: false } }));
    expect(started).toEqual({ run_id: expect.stringMatching(/^\d{8}-\d{6}-/), status: "running", log_dir: expect.any(String) });
    const runId = started.run_id as string;
    let result: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      const status = json(await mcp.client.callTool({ name: "run_status", arguments: { run_id: runId } }));
      expect(status.run_id).toBe(runId);
      if (status.status !== "running") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    result = json(await mcp.client.callTool({ name: "run_result", arguments: { run_id: runId } }));
    expect(result).toMatchObject({ run_id: runId, status: "completed", winner: "alpha" });
    const runs = json(await mcp.client.callTool({ name: "list_runs", arguments: {} })).runs as { run_id: string; status: string }[];
    expect(runs.find((r) => r.run_id === runId)).toMatchObject({ status: "completed" });
  }, 60_000);

  it("answers a bad argument with an error that names the field", async () => {
    const bad = await mcp.client.callTool({ name: "launch_run", arguments: { task: "x", agent_mode: "duo" } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toBe('Input validation error: Invalid arguments for tool launch_run: agent_mode: Invalid option: expected one of "single"|"multi"');
    const empty = await mcp.client.callTool({ name: "launch_run", arguments: { task: " " } });
    expect(textOf(empty)).toBe("Input validation error: Invalid arguments for tool launch_run: task: `task` must not be empty: say what the agents should do");
    const unknown = await mcp.client.callTool({ name: "launch_run", arguments: { task: "x", agents: ["nobody"] } });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toBe(`launch_run: unknown agent \`nobody\` in \`agents\`; ${mcp.config} has alpha, beta, asker, slow`);
    const traversal = await mcp.client.callTool({ name: "run_result", arguments: { run_id: "../etc" } });
    expect(traversal.isError).toBe(true);
    expect(textOf(traversal)).toBe("Input validation error: Invalid arguments for tool run_result: run_id: a run id is letters, digits, `-` and `_` (as launch_run and list_runs give it)");
    for (const run_id of ["..%2Fetc", "%252e%252e%252f", "a/../b"]) expect((await mcp.client.callTool({ name: "run_status", arguments: { run_id } })).isError).toBe(true);
  });

  it("cancels a run whose agent never replies", async () => {
    const started = json(await mcp.client.callTool({ name: "launch_run", arguments: { task: "Wait forever", agent_mode: "single", agents: ["slow"], wait: false } }));
    const runId = started.run_id as string;
    expect(json(await mcp.client.callTool({ name: "cancel_run", arguments: { run_id: runId, reason: "the test is done with it" } }))).toEqual({ run_id: runId, cancelled: true });
    let result: Record<string, unknown> = {};
    for (let i = 0; i < 200 && result.status !== "cancelled"; i++) {
      result = json(await mcp.client.callTool({ name: "run_result", arguments: { run_id: runId } }));
      if (result.status !== "cancelled") await new Promise((r) => setTimeout(r, 50));
    }
    expect(result).toMatchObject({ run_id: runId, status: "cancelled", status_reason: "cancelled: the test is done with it" });
  }, 30_000);

  it("cancels the run a launch_run call waits for when the client cancels the call", async () => {
    const controller = new AbortController();
    let runId: string | undefined;
    const call = mcp.client.callTool(
      { name: "launch_run", arguments: { task: "Wait forever", agent_mode: "single", agents: ["slow"] } },
      {
        signal: controller.signal,
        timeout: 30_000,
        onprogress: () => {
          if (controller.signal.aborted) return;
          controller.abort("the person pressed Esc");
        },
      },
    );
    await expect(call).rejects.toThrow();
    let result: Record<string, unknown> = {};
    for (let i = 0; i < 200 && result.status !== "cancelled"; i++) {
      const runs = json(await mcp.client.callTool({ name: "list_runs", arguments: {} })).runs as { run_id: string; task: string }[];
      runId = runs.filter((r) => r.task === "Wait forever").at(-1)?.run_id;
      if (runId) result = json(await mcp.client.callTool({ name: "run_result", arguments: { run_id: runId } }));
      if (result.status !== "cancelled") await new Promise((r) => setTimeout(r, 50));
    }
    expect(result).toMatchObject({ status: "cancelled", status_reason: "cancelled: the client cancelled the launch_run call" });
  }, 30_000);

  it("announces an agent's question in a progress line and takes the answer through answer_query", async () => {
    const lines: string[] = [];
    let answered: Promise<unknown> | undefined;
    const result = await mcp.client.callTool(
      { name: "launch_run", arguments: { task: "Add auth", agent_mode: "single", agents: ["asker"], context_paths: [{ path: "deliverables", permission: "read" }] } },
      {
        timeout: 60_000,
        onprogress: (p) => {
          lines.push(p.message ?? "");
          if (p.message?.startsWith("query ") && !answered) {
            answered = (async () => {
              const { queries } = json(await mcp.client.callTool({ name: "list_queries", arguments: {} })) as { queries: Record<string, unknown>[] };
              expect(queries).toEqual([{ type: "query", id: expect.stringMatching(/^q\d+$/), run_id: expect.any(String), agent: "asker", question: "JWT or Session?", options: ["JWT", "Session"], context: "The API has no auth yet." }]);
              const wrong = await mcp.client.callTool({ name: "answer_query", arguments: { id: "q999", answer: "JWT" } });
              expect(textOf(wrong)).toBe(`answer_query: no pending query \`q999\`: the pending ones are ${queries[0]!.id}; list_queries lists them.`);
              return mcp.client.callTool({ name: "answer_query", arguments: { id: queries[0]!.id as string, answer: "JWT" } });
            })();
          }
        },
      },
    );
    const query = lines.find((l) => l.startsWith("query "));
    expect(query).toMatch(/^query q\d+: JWT or Session\? \[JWT \| Session\] \(answer_query\)$/);
    expect(json((await answered) as { content: unknown })).toMatchObject({ answered: true });
    const compact = json(result);
    expect(compact).toMatchObject({ status: "completed", winner: "asker", answer: "Auth as decided." });
    // The answer released the agent: nobody answering would have held it for timeouts.human (60 s).
    expect(compact.elapsed_seconds).toBeLessThan(30);
    expect(json(await mcp.client.callTool({ name: "list_queries", arguments: {} }))).toEqual({ queries: [] });
  }, 60_000);

  it("costs the client few tokens for a plan, its execution and a verification (characters ÷ 4)", async () => {
    let chars = 0;
    const call = async (args: Record<string, unknown>) => {
      const result = await mcp.client.callTool({ name: "launch_run", arguments: args }, { timeout: 60_000, onprogress: (p) => (chars += JSON.stringify(p).length) });
      chars += JSON.stringify(result.content).length;
      return json(result);
    };
    const write = [{ path: "deliverables", permission: "write" }];
    const executed = await call({ task: "Add a health endpoint", agents: ["alpha", "beta"], planning_mode: true, execute_after_planning: true, context_paths: write });
    expect(executed).toMatchObject({ status: "completed", plan_run_id: expect.any(String) });
    const verified = await call({ task: "Verify the health endpoint", agents: ["alpha", "beta"], context_paths: [{ path: "deliverables", permission: "read" }] });
    expect(verified).toMatchObject({ status: "completed" });
    const tokens = Math.ceil(chars / 4);
    process.stderr.write(`mcp_client_tokens_per_feature: ${tokens} (${chars} characters)\n`);
    expect(tokens).toBeLessThanOrEqual(2000);
  }, 60_000);

  it("writes nothing but the protocol on stdout, its notices on stderr, and exits 0 once stdin ends", async () => {
    expect(mcp.errors).toEqual([]);
    expect(mcp.stderr.join("")).toContain(`conclave mcp: serving on stdio for ${mcp.project.dir}.`);
    // A raw child: every stdout line must be a JSON-RPC message.
    const child = spawn(process.execPath, [CLI, "mcp", "--project", mcp.project.dir, "--config", mcp.config], { cwd: REPO, env: cliEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "launch_run", arguments: { task: "Name one risk", agent_mode: "single", agents: ["alpha"] }, _meta: { progressToken: "p" } } });
    const answered = () => stdout.split("\n").some((l) => l.includes('"id":2'));
    for (let i = 0; i < 600 && !answered(); i++) await new Promise((r) => setTimeout(r, 50));
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const messages = stdout.trim().split("\n").map((line) => JSON.parse(line) as { jsonrpc: string; id?: number; method?: string });
    expect(messages.every((m) => m.jsonrpc === "2.0")).toBe(true);
    expect(messages.filter((m) => m.method === "notifications/progress").length).toBeGreaterThan(0);
    expect(messages.at(-1)!.id).toBe(2);
    expect(code).toBe(0);
  }, 60_000);
});
