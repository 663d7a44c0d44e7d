import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import type { CompletionRequest } from "../../framework/models/model.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { run } from "../../framework/runs/run.ts";
import { readRun } from "../support/scripted-run.ts";

// Every request a scripted agent receives, by agent id: the real client answers, this only records.
const received = vi.hoisted(() => new Map<string, CompletionRequest[]>());
vi.mock("../../framework/models/scripted/scripted-client.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../framework/models/scripted/scripted-client.ts")>();
  return {
    ...real,
    createScriptedClient: (agentId: string, ...rest: [never, never]) => {
      const client = real.createScriptedClient(agentId, ...rest);
      return {
        ...client,
        complete(request: CompletionRequest) {
          received.set(agentId, [...(received.get(agentId) ?? []), request]);
          return client.complete(request);
        },
      };
    },
  };
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function makeProject() {
  const root = mkdtempSync(join(tmpdir(), "conclave-sandbox-run-"));
  dirs.push(root);
  return openProject(join(root, "proj"), { create: true });
}

type Turn = NonNullable<NonNullable<ConfigInput["agents"][number]["backend"]>["script"]>[number];
const agent = (id: string, script: Turn[]) => ({ id, backend: { type: "scripted" as const, latency_ms: 10, script } });
const coordination = { max_rounds: 1, timeouts: { run: 120, generation: 90, voting: 30, presentation: 30, call: 60, idle: 30 } };
const writable = [{ path: "deliverables", permission: "write" as const }];

// The tool results an agent was given in its first turn that had any, in order.
function toolResults(agentId: string): string[] {
  const withTools = received.get(agentId)?.find((r) => r.messages.some((m) => m.role === "tool"));
  return (withTools?.messages ?? []).filter((m) => m.role === "tool").map((m) => String(m.content));
}

describe("run() with commands in the sandbox", () => {
  it("lets an agent start a nested Conclave run in its workspace: LOG_DIR comes back, and the inner run completes there", async () => {
    const project = makeProject();
    const config: ConfigInput = {
      agents: [
        agent("outer", [
          tool("run_command", { command: "conclave", args: ["ask", "--automation", "--dry-run", "Name one colour"] }),
          { answer: "started a nested run" },
        ]),
      ],
      coordination,
      commands: { allow: ["conclave"] },
    };
    const result = await run({ task: "Run Conclave inside", project, config, agent_mode: "single", context_paths: writable, env: { PATH: process.env.PATH } });
    expect(result.status).toBe("completed");
    const calls = readRun(result.log_dir).events.filter((e) => e.type === "run.agent.tool_call");
    expect(calls.map((e) => [e.name, e.ok])).toEqual([["run_command", true]]);
    const [output] = toolResults("outer");
    const workspace = join(result.log_dir, "agents", "outer", "workspace");
    const logDir = /^LOG_DIR: (.+)$/m.exec(output ?? "")?.[1];
    expect(output?.startsWith("exit code: 0\nstdout:\nLOG_DIR: ")).toBe(true);
    expect(logDir?.startsWith(join(workspace, ".conclave", "runs") + "/")).toBe(true);
    const inner = readRun(logDir!);
    expect(inner.status.results.status).toBe("completed");
    const winner = inner.status.results.winner as string;
    expect(inner.read(`final/${winner}/answer.txt`).length).toBeGreaterThan(0);
    expect(output).toContain(`Final answer: ${join(logDir!, "final", winner, "answer.txt")}\n`);
  });

  it("says once per run, to the person running it, that commands run without a sandbox under `none`", async () => {
    const project = makeProject();
    const ping = tool("run_command", { command: "node", args: ["-e", "console.log('hi')"] });
    const config: ConfigInput = {
      agents: [agent("alpha", [ping, ping, { answer: "a" }, { vote: "A" }]), agent("beta", [ping, { answer: "b" }, { vote: "A" }])],
      coordination,
      commands: { allow: ["node"], sandbox: "none" },
    };
    const notices: string[] = [];
    const result = await run({ task: "Ping", project, config, context_paths: writable, env: { PATH: process.env.PATH }, onNotice: (line) => notices.push(line) });
    expect(result.status).toBe("completed");
    expect(notices).toEqual([
      "Warning: Commands run without a sandbox (`commands.sandbox: none`): a program an agent runs can read and write whatever this user can, and reach the network. Set `commands.sandbox: auto` and install bubblewrap (`apt-get install bubblewrap`) to confine them.",
    ]);
    expect(toolResults("beta")[0]).toBe("exit code: 0\nstdout:\nhi\n");
  });

  it("warns once and refuses every run_command under `auto` when bubblewrap cannot be had", async () => {
    const project = makeProject();
    const config: ConfigInput = {
      agents: [agent("alpha", [tool("run_command", { command: "node", args: ["--version"] }), { answer: "a" }])],
      coordination,
      commands: { allow: ["node"] },
    };
    const notices: string[] = [];
    const env = { PATH: process.env.PATH, CONCLAVE_BWRAP: "/nonexistent/bwrap" };
    const result = await run({ task: "Ping", project, config, agent_mode: "single", context_paths: writable, env, onNotice: (line) => notices.push(line) });
    const message =
      "run_command needs a sandbox and none is available here: bubblewrap (`/nonexistent/bwrap`, from `CONCLAVE_BWRAP`) was not found. Install it (`apt-get install bubblewrap`), or set `commands.sandbox: none` in the config to run commands without a boundary.";
    expect(notices).toEqual([`Warning: ${message}`]);
    const calls = readRun(result.log_dir).events.filter((e) => e.type === "run.agent.tool_call");
    expect(calls.map((e) => [e.name, e.ok, e.error])).toEqual([["run_command", false, message]]);
  });
});

function tool(name: string, args: Record<string, unknown>): Turn {
  return { tool: name, args };
}
