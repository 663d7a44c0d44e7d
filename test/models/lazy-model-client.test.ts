import { describe, expect, it } from "vitest";
import { lazyModelClient } from "../../framework/models/lazy-model-client.ts";
import type { ModelClient } from "../../framework/models/model.ts";

const request = { system: "s", messages: [{ role: "user" as const, content: "hi" }] };
const reply = (text: string): ModelClient => ({
  backend: "openai",
  model: "m",
  complete: async () => ({ text, toolCalls: [], usage: { input_tokens: 1, output_tokens: 1, cached_tokens: 0 }, stopReason: "end", model: "m" }),
});

describe("lazyModelClient()", () => {
  it("names its backend and model before the real client is made, and makes it once, on the first call", async () => {
    let made = 0;
    const client = lazyModelClient("openai", "gpt-4.1-mini", async () => {
      made++;
      return reply("hello");
    });
    expect([client.backend, client.model, made]).toEqual(["openai", "gpt-4.1-mini", 0]);
    const [first, second] = await Promise.all([client.complete(request), client.complete(request)]);
    expect([first.text, second.text, (await client.complete(request)).text, made]).toEqual(["hello", "hello", "hello", 1]);
  });

  it("rejects the call whose client could not be made, and tries again on the next call", async () => {
    let attempts = 0;
    const client = lazyModelClient("anthropic", "claude-sonnet-4-6", async () => {
      if (++attempts === 1) throw new Error("Cannot find package '@anthropic-ai/sdk'");
      return reply("second try");
    });
    await expect(client.complete(request)).rejects.toThrow("Cannot find package '@anthropic-ai/sdk'");
    expect((await client.complete(request)).text).toBe("second try");
    expect(attempts).toBe(2);
  });
});
