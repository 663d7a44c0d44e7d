import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { openSession } from "../../framework/session/open-session.ts";
import type { SessionEvent } from "../../framework/session/session-types.ts";
import { tempDir } from "../project/temp-dir.ts";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server.ts";

// One chat turn that launches a run, with the orchestrator on a real SDK against a loopback fake, and
// the run's agent on another fake, so the orchestrator's requests and the agent's prompt are both on record.

const env = { OPENAI_API_KEY: "test-openai-key", ANTHROPIC_API_KEY: "test-anthropic-key" };
const coordination = { retry: { attempts: 0 }, timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 10 } };

let orchestratorServer: FakeLlmServer;
let agentServer: FakeLlmServer;
beforeAll(async () => {
  orchestratorServer = await startFakeLlmServer();
  agentServer = await startFakeLlmServer();
});
afterAll(async () => {
  await orchestratorServer.close();
  await agentServer.close();
});
beforeEach(() => {
  orchestratorServer.reset();
  agentServer.reset();
});

type Body = { messages: { role: string; content: unknown; tool_call_id?: string }[]; system?: unknown; tools?: { name?: string; function?: { name: string } }[] };

describe.each([
  ["OpenAI", (url: string) => ({ type: "openai" as const, model: "gpt-4.1-mini", base_url: `${url}/v1` }), "/v1/chat/completions"],
  ["Anthropic", (url: string) => ({ type: "anthropic" as const, model: "claude-haiku-4-5", base_url: url }), "/v1/messages"],
])("a chat turn through an %s orchestrator", (_name, backend, path) => {
  it("launches a run whose prompt carries the conversation, and sees the run's result in its next request", async () => {
    const project = initProject("demo", tempDir());
    const config: ConfigInput = {
      agents: [{ id: "alpha", backend: { type: "openai", model: "gpt-4.1-mini", base_url: `${agentServer.url}/v1` } }],
      orchestrator: { backend: backend(orchestratorServer.url) },
      interactive: { require_approval: "never" },
      coordination,
    };
    orchestratorServer.enqueue(
      { toolCalls: [{ name: "launch_run", arguments: JSON.stringify({ task: "Write the handler module", agent_mode: "single", context: "Use Socket.IO." }) }] },
      { text: "The handler module is written." },
    );
    agentServer.enqueue({ toolCalls: [{ name: "new_answer", arguments: JSON.stringify({ content: "handler.ts: a Socket.IO handler" }) }] }, { text: "handler.ts: a Socket.IO handler" });

    const session = await openSession({ project, config, env });
    const events: SessionEvent[] = [];
    for await (const e of session.send("I need WebSocket support in the API server.")) events.push(e);

    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["run.launched", "run.finished", "message"]));
    expect(events.at(-1)).toEqual({ type: "message", role: "assistant", content: "The handler module is written." });
    const finished = events.find((e) => e.type === "run.finished") as Extract<SessionEvent, { type: "run.finished" }>;
    expect(finished.result).toMatchObject({ status: "completed", winner: "alpha", answer: "handler.ts: a Socket.IO handler" });

    // The orchestrator's requests: both on its own wire format, the second carrying the tool result.
    const requests = orchestratorServer.requests.filter((r) => r.path === path);
    expect(requests).toHaveLength(2);
    const first = requests[0]!.body as Body;
    const names = (first.tools ?? []).map((t) => t.name ?? t.function?.name);
    expect(names).toEqual(["launch_run", "run_status", "read_run", "cancel_run", "analyze_run", "tell_run", "read_file", "list_files", "update_context", "deliver"]);
    const second = JSON.stringify(requests[1]!.body);
    expect(second).toContain(finished.result.run_id);
    expect(second).toContain("handler.ts: a Socket.IO handler");

    // The run's prompt: the conversation digest, then the orchestrator's own context.
    const agentPrompt = JSON.stringify(agentServer.requests[0]!.body);
    expect(agentPrompt).toContain("# The conversation so far");
    expect(agentPrompt).toContain("**The person:** I need WebSocket support in the API server.");
    expect(agentPrompt).toContain("Use Socket.IO.");
    expect(session.record().usage.conversation.calls).toBe(2);
    expect(session.record().usage.conversation.input_tokens).toBeGreaterThan(0);
  });
});
