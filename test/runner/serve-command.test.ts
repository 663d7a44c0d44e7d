import { EventEmitter } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, describe, expect, it } from "vitest";
import { initProject } from "../../framework/project/init-project.ts";
import type { StopSource } from "../../framework/runner/on-stop-request.ts";
import { serveCommand } from "../../framework/runner/serve-command.ts";
import { json, MCP_CONFIG } from "../server/mcp-support.ts";
import { makeTempDir, removeDir, runCli, startCli } from "../support/cli-process.ts";
import { handMadeRun } from "../support/hand-made-run.ts";
import { openSse } from "../support/sse-client.ts";

const temps: string[] = [];
function tempDir(): string {
  const dir = makeTempDir("conclave-serve-");
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) removeDir(dir);
});

// The first stderr line of a starting `conclave serve`.
function servingLine(child: ReturnType<typeof startCli>["child"]): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stderr!.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\n")) resolve(text.split("\n")[0]!);
    });
    child.on("close", () => reject(new Error(`exited before its first line; stderr: ${text}`)));
  });
}

describe("conclave serve", () => {
  it("prints where it serves on stderr, answers over HTTP, and exits 0 on SIGTERM with a stream still open", async () => {
    const cwd = tempDir();
    const run = handMadeRun(`${cwd}/.conclave/runs`);
    run.append({ type: "run.phase", phase: "planning", round: 0 });
    const serving = startCli(["serve", "--port", "0"], { cwd, timeoutMs: 30_000 });
    const line = await servingLine(serving.child);
    expect(line).toMatch(/^Serving http:\/\/127\.0\.0\.1:\d+ \(the runs in \.conclave\/runs; Ctrl\+C stops it\)$/);
    const url = /^Serving (\S+)/.exec(line)![1]!;
    const { runs } = (await (await fetch(`${url}/api/runs`)).json()) as { runs: { run_id: string }[] };
    expect(runs.map((r) => r.run_id)).toEqual([run.runId]);
    const stream = await openSse(`${url}/api/runs/${run.runId}/events`);
    await stream.until((events) => events.some((e) => e.id === "1"));
    serving.child.kill("SIGTERM");
    const outcome = await serving.exited;
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe(`${line}\nStopped by SIGTERM: the server is closed.\n`);
    await stream.ended;
  }, 40_000);

  it("serves the MCP tools at /mcp with --config: a run launched there is one of the project's runs it serves", async () => {
    const cwd = tempDir();
    initProject("demo", join(cwd, "projects"));
    writeFileSync(join(cwd, "team.json"), JSON.stringify(MCP_CONFIG));
    const serving = startCli(["serve", "--port", "0", "--project", "projects/demo", "--config", "team.json"], { cwd, timeoutMs: 30_000 });
    const url = /^Serving (\S+)/.exec(await servingLine(serving.child))![1]!;
    const client = new Client({ name: "conclave-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    const result = json(await client.callTool({ name: "launch_run", arguments: { task: "Name one risk", agent_mode: "single", agents: ["alpha"] } }, { timeout: 30_000 }));
    expect(result).toMatchObject({ status: "completed", winner: "alpha" });
    const { runs } = (await (await fetch(`${url}/api/runs`)).json()) as { runs: { run_id: string; status: string }[] };
    expect(runs).toMatchObject([{ run_id: result.run_id, status: "completed" }]);
    await client.close();
    serving.child.kill("SIGTERM");
    expect((await serving.exited).code).toBe(0);
  }, 40_000);

  it("exits 1 when the port is in use, naming the port and --port", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const outcome = await runCli(["serve", "--port", String(port), "--runs-dir", tempDir()], { cwd: tempDir(), timeoutMs: 30_000 });
      expect([outcome.code, outcome.stderr]).toEqual([1, `conclave: port ${port} on 127.0.0.1 is in use: another server listens there. Pass another port with \`--port <n>\`, or stop that server.\n`]);
    } finally {
      taken.close();
    }
  }, 40_000);

  it("exits 1 on a host other than loopback without CONCLAVE_TOKEN, and on --project with --runs-dir", async () => {
    const cwd = tempDir();
    const [open, both] = await Promise.all([
      runCli(["serve", "--host", "0.0.0.0"], { cwd, env: { CONCLAVE_TOKEN: undefined }, timeoutMs: 30_000 }),
      runCli(["serve", "--project", ".", "--runs-dir", "."], { cwd, timeoutMs: 30_000 }),
    ]);
    expect([open.code, open.stderr]).toEqual([
      1,
      "conclave: serving on host 0.0.0.0 needs a token: anyone who can reach it could read the runs. Set CONCLAVE_TOKEN (clients then send `Authorization: Bearer <token>`), or serve on 127.0.0.1.\n",
    ]);
    expect([both.code, both.stderr]).toEqual([1, "conclave: `--project` and `--runs-dir` name the same thing, the runs to serve: pass one of them.\n"]);
  }, 40_000);

  it("with CONCLAVE_TOKEN, prints the viewer's address with the token on a terminal, and only a placeholder when stderr is not one", async () => {
    const cwd = tempDir();
    for (const terminal of [true, false]) {
      const stopper = Object.assign(new EventEmitter(), { pid: process.pid, ppid: process.ppid }) as unknown as StopSource & EventEmitter;
      let text = "";
      let twoLines!: () => void;
      const printed = new Promise<void>((resolve) => (twoLines = resolve));
      const stderr = { isTTY: terminal, write: (s: string) => ((text += s), text.split("\n").length > 2 && twoLines()) };
      const exit = serveCommand(["--port", "0", "--host", "127.0.0.2"], { stdout: { write: () => true }, stderr, env: { CONCLAVE_TOKEN: "s3cret token" }, process: stopper }, cwd);
      await printed;
      const url = /^Serving (\S+)/.exec(text)![1]!;
      const [serving, viewer] = text.split("\n");
      expect(serving).toBe(`Serving ${url} (the runs in .conclave/runs; bearer token required; Ctrl+C stops it)`);
      if (terminal) {
        expect(viewer).toBe(`Open the viewer: ${url}/?token=s3cret%20token`);
        const opened = await fetch(viewer!.slice("Open the viewer: ".length), { redirect: "manual" });
        expect([opened.status, opened.headers.get("location")]).toEqual([303, "/"]);
      } else {
        expect(viewer).toBe(`Open the viewer: ${url}/?token=<CONCLAVE_TOKEN> (the token itself is printed only to a terminal)`);
      }
      stopper.emit("SIGTERM");
      expect(await exit).toBe(0);
    }
  }, 40_000);
});
