import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../framework/clock.ts";
import { ConfigError, ModelApiError } from "../../framework/errors.ts";
import { createModelClient } from "../../framework/models/create-model-client.ts";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server.ts";

let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(() => server.close());

const deps = (env: NodeJS.ProcessEnv) => ({ clock: systemClock, env: { OPENAI_API_KEY: "k", ANTHROPIC_API_KEY: "k", ...env }, idleMs: 5_000 });
const request = { system: "s", messages: [{ role: "user" as const, content: "hi" }], tools: [{ name: "new_answer", description: "d", parameters: { type: "object" } }] };

describe("createModelClient() and CONCLAVE_MAX_TOOL_ARGS_MB", () => {
  it.each(["openai", "anthropic"] as const)("caps one %s tool call's streamed arguments at the megabytes it names, after one request", async (type) => {
    server.reset();
    server.enqueue({ toolCalls: [{ name: "new_answer", arguments: `{"content":"${"x".repeat(2_000)}"}` }] });
    const base_url = type === "openai" ? `${server.url}/v1` : server.url;
    const client = createModelClient({ id: "alpha", backend: { type, model: "m", base_url } }, deps({ CONCLAVE_MAX_TOOL_ARGS_MB: "0.001" }));
    const failure = await client.complete(request).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelApiError);
    expect(failure).toMatchObject({
      kind: "bad_request",
      retryable: false,
      message: `agent \`alpha\` (${type} m): tool arguments over 0.001 MB: the reply's \`new_answer\` call streamed more than 1000 bytes of arguments, so the stream was aborted and the reply not used. Ask for smaller steps (a large file in several writes), or raise \`CONCLAVE_MAX_TOOL_ARGS_MB\`.`,
    });
    expect(server.requests).toHaveLength(1);
  });

  it("refuses a value that is not a positive number, naming the variable and the value", () => {
    expect(() => createModelClient({ id: "alpha", backend: { type: "openai", model: "m" } }, deps({ CONCLAVE_MAX_TOOL_ARGS_MB: "lots" }))).toThrow(
      new ConfigError('`CONCLAVE_MAX_TOOL_ARGS_MB` must be a positive number of megabytes, received "lots". Unset it for the default of 16.'),
    );
  });
});

describe("createModelClient() and a base_url that holds a key", () => {
  it("hides the key when it names the server in a message", () => {
    expect(() => createModelClient({ id: "alpha", backend: { type: "openai", base_url: "https://me:hunter22@llm.example/v1?api-key=abc123" } }, deps({ OPENAI_API_KEY: "" }))).toThrow(
      "agent `alpha`: say which model the server at https://***@llm.example/v1?api-key=*** should run: set `model` in the config (e.g. llama3.1) or CONCLAVE_MODEL.",
    );
  });
});
