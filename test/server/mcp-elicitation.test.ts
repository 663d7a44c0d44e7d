import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../project/temp-dir.ts";
import { connectMcp, json } from "./mcp-support.ts";

// A client that declares elicitation gets an agent's question as an elicitation request: an enum of the options.
const clients: Awaited<ReturnType<typeof connectMcp>>[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.client.close()));
});

describe.each([
  { era: "2025 (initialize; elicitation as a server request)", versionNegotiation: undefined },
  { era: "2026-07-28 (server/discover; elicitation as input_required)", versionNegotiation: { mode: "auto" as const } },
])("conclave mcp with a client that supports elicitation, protocol era $era", ({ versionNegotiation }) => {
  it("asks the agent's question through elicitation, and the run goes on with the answer", async () => {
    const mcp = await connectMcp(tempDir("conclave-mcp-elicit-"), { capabilities: { elicitation: { form: {} } }, ...(versionNegotiation && { versionNegotiation }) });
    clients.push(mcp);
    const asked: unknown[] = [];
    mcp.client.setRequestHandler("elicitation/create", async (request) => {
      const { _meta, ...params } = request.params as Record<string, unknown>;
      asked.push(params);
      return { action: "accept", content: { answer: "Session" } };
    });
    const lines: string[] = [];
    const result = await mcp.client.callTool(
      { name: "launch_run", arguments: { task: "Add auth", agent_mode: "single", agents: ["asker"], context_paths: [{ path: "deliverables", permission: "read" }] } },
      { timeout: 60_000, onprogress: (p) => lines.push(p.message ?? "") },
    );
    expect(asked).toEqual([
      {
        mode: "form",
        message: "JWT or Session?\n\nThe API has no auth yet.",
        requestedSchema: { type: "object", properties: { answer: { type: "string", title: "Answer", enum: ["JWT", "Session"] } }, required: ["answer"] },
      },
    ]);
    expect(lines.some((l) => l.startsWith("query "))).toBe(false);
    const compact = json(result);
    expect(compact).toMatchObject({ status: "completed", winner: "asker", answer: "Auth as decided." });
    // The answer released the agent: nobody answering would have held it for timeouts.human (60 s).
    expect(compact.elapsed_seconds).toBeLessThan(30);
    expect(json(await mcp.client.callTool({ name: "list_queries", arguments: {} }))).toEqual({ queries: [] });
    expect(mcp.errors).toEqual([]);
  }, 60_000);
});
