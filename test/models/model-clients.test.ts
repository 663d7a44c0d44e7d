import { systemClock } from "../../framework/clock.ts";
import type { ScriptTurn } from "../../framework/config/config-schema.ts";
import { createModelClient } from "../../framework/models/create-model-client.ts";
import { createScriptedClient } from "../../framework/models/scripted/scripted-client.ts";
import { startFakeLlmServer, type FakeLlmServer, type FakeTurnReply } from "../support/fake-llm-server.ts";
import { modelClientContract, type ContractHarness, type ContractReply } from "./model-client.contract.ts";

// Every backend passes the same contract (STYLE: one interface, one shared contract test).

function scriptTurnOf(reply: ContractReply): ScriptTurn {
  if (reply.toolCall) return { tool: reply.toolCall.name, args: JSON.parse(reply.toolCall.args) as Record<string, unknown> };
  return { text: reply.text ?? "" };
}

modelClientContract("scripted", {
  async client(replies) {
    const hang = replies.some((r) => r.hang);
    return createScriptedClient("alpha", { type: "scripted", script: replies.map(scriptTurnOf), ...(hang && { hang }) }, { clock: systemClock });
  },
  estimatesUsage: true,
  wholeText: true,
  unsupported: {
    invalidJson: "a script turn's `args` is an object, so its JSON always parses",
    maxTokens: "a script turn cannot be cut off",
  },
});

function fakeReplyOf(reply: ContractReply): FakeTurnReply {
  return {
    ...(reply.text !== undefined && { text: reply.text }),
    ...(reply.toolCall && { toolCalls: [{ name: reply.toolCall.name, arguments: reply.toolCall.args }] }),
    ...(reply.stopReason && { stopReason: reply.stopReason }),
    ...(reply.usage && { usage: reply.usage }),
    ...(reply.hang && { stallAfterChunk: 1 }),
  };
}

// A real backend against the loopback fake: one server per backend, started on first use.
function fakeHarness(type: "openai" | "anthropic", model: string, keyEnv: string): ContractHarness {
  let server: FakeLlmServer | undefined;
  return {
    async client(replies) {
      server ??= await startFakeLlmServer();
      server.reset();
      server.enqueue(...replies.map(fakeReplyOf));
      const base_url = type === "openai" ? `${server.url}/v1` : server.url;
      return createModelClient({ id: "alpha", backend: { type, model, base_url } }, { clock: systemClock, env: { [keyEnv]: "k" }, idleMs: 5_000 });
    },
    async teardown() {
      await server?.close();
    },
  };
}

modelClientContract("openai", fakeHarness("openai", "gpt-4.1-mini", "OPENAI_API_KEY"));
modelClientContract("anthropic", fakeHarness("anthropic", "claude-sonnet-4-6", "ANTHROPIC_API_KEY"));
