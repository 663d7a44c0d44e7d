import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { initProject } from "../../framework/project/init-project.ts";
import { CLI, cliEnv, REPO } from "../support/cli-process.ts";

/** A scripted team: two quick agents, one that asks "JWT or Session?", one that never replies. */
export const MCP_CONFIG = {
  agents: [
    { id: "alpha", backend: { type: "scripted", latency_ms: 20 } },
    { id: "beta", backend: { type: "scripted", latency_ms: 20 } },
    {
      id: "asker",
      backend: {
        type: "scripted",
        latency_ms: 20,
        script: [{ tool: "ask_human", args: { question: "JWT or Session?", options: ["JWT", "Session"], context: "The API has no auth yet." } }, { answer: "Auth as decided." }],
      },
    },
    { id: "slow", backend: { type: "scripted", hang: true } },
  ],
  coordination: { max_rounds: 2, timeouts: { human: 60 } },
  interactive: { require_approval: "never" },
};

/** A project and a config file in `dir`, and a client connected to `conclave mcp` on them (a real child process). */
export async function connectMcp(dir: string, capabilities: ConstructorParameters<typeof Client>[1] = {}) {
  const project = initProject("demo", join(dir, "projects"));
  const config = join(dir, "team.json");
  writeFileSync(config, JSON.stringify(MCP_CONFIG));
  const stderr: string[] = [];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", "--project", project.dir, "--config", config],
    cwd: REPO,
    env: cliEnv() as Record<string, string>,
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const client = new Client({ name: "conclave-test", version: "1.0.0" }, capabilities);
  // Anything on stdout that is not the protocol surfaces here.
  const errors: string[] = [];
  client.onerror = (error) => errors.push(error.message);
  await client.connect(transport);
  return { client, transport, project, config, stderr, errors };
}

/** The parsed JSON of a tool result's one text block. */
export function json(result: { content?: unknown }): Record<string, unknown> {
  const content = result.content as { type: string; text: string }[];
  return JSON.parse(content[0]!.text) as Record<string, unknown>;
}

/** The text of a tool result's one text block. */
export function textOf(result: { content?: unknown }): string {
  return (result.content as { type: string; text: string }[])[0]!.text;
}
