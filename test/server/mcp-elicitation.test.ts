import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../project/temp-dir.ts";
import { connectMcp, json } from "./mcp-support.ts";

// A client that declares elicitation gets an agent's question as an elicitation request: an enum of the options.
let mcp: Awaited<ReturnType<typeof connectMcp>>;
const asked: unknown[] = [];

beforeAll(async () => {
  mcp = await connectMcp(tempDir("conclave-mcp-elicit-"), { capabilities: { elicitation: { form: {} } } });
  mcp.client.setRequestHandler("elicitation/create", async (request) => {
    const { _meta, ...params } = request.params as Record<string, unknown>;
    asked.push(params);
    return { action: "accept", content: { answer: "Session" } };
  });
}, 30_000);

afterAll(async () => {
  await mcp?.client.close();
});

describe("conclave mcp with a client that supports elicitation", () => {
  it("asks the agent's question through elicitation, and the run goes on with the answer", async () => {
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
    expect(compact.elapsed_seconds).toBeLessThan(30);
    expect(json(await mcp.client.callTool({ name: "list_queries", arguments: {} }))).toEqual({ queries: [] });
  }, 60_000);
});
