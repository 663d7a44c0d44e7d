import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { initProject } from "../framework/project/init-project.ts";

/**
 * What a coding agent's context pays to delegate a feature over MCP: the characters it receives
 * (tool results and progress notifications) for plan → execute → verify with scripted agents,
 * as tokens (characters ÷ 4). `conclave mcp` runs as a child process, driven by the official client.
 *
 * @example
 * const { tokens } = await mcpClientTokensPerFeature(); // goal ≤ 2,000
 */
export async function mcpClientTokensPerFeature(): Promise<{ tokens: number; characters: number }> {
  const dir = mkdtempSync(join(tmpdir(), "conclave-bench-mcp-"));
  const project = initProject("feature", dir);
  const config = join(dir, "team.json");
  const agent = (id: string) => ({ id, backend: { type: "scripted", latency_ms: 5 } });
  writeFileSync(config, JSON.stringify({ agents: [agent("alpha"), agent("beta"), agent("gamma")], coordination: { max_rounds: 2 } }));
  const cli = fileURLToPath(new URL("../bin/conclave.js", import.meta.url));
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli, "mcp", "--project", project.dir, "--config", config], stderr: "ignore" }));
  let characters = 0;
  const launch = async (args: Record<string, unknown>) => {
    const result = await client.callTool({ name: "launch_run", arguments: args }, { timeout: 120_000, onprogress: (p) => (characters += JSON.stringify(p).length) });
    characters += JSON.stringify(result.content).length;
    if (result.isError) throw new Error(`launch_run failed: ${JSON.stringify(result.content)}`);
  };
  try {
    await launch({ task: "Add a health endpoint to the API", planning_mode: true, execute_after_planning: true, context_paths: [{ path: "deliverables", permission: "write" }] });
    await launch({ task: "Verify the health endpoint", context_paths: [{ path: "deliverables", permission: "read" }] });
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { tokens: Math.ceil(characters / 4), characters };
}
