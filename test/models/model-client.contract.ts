import { afterAll, describe, expect, it } from "vitest";
import { ModelApiError } from "../../framework/errors.ts";
import type { CompletionRequest, ModelClient, ToolSpec } from "../../framework/models/model.ts";

/** One reply a harness makes its backend give, in terms every backend can express. */
export interface ContractReply {
  text?: string;
  /** `args` is the raw JSON text the model sends; it may be invalid on purpose. */
  toolCall?: { name: string; args: string };
  stopReason?: "end" | "max_tokens";
  usage?: { input: number; output: number };
  /** Never finish: the call only ends when its AbortSignal aborts. */
  hang?: boolean;
}

export type ContractCase = "text" | "toolCall" | "invalidJson" | "usage" | "abort" | "maxTokens" | "onText";

export interface ContractHarness {
  /** A fresh client whose next calls give `replies`, in order. */
  client(replies: ContractReply[]): Promise<ModelClient>;
  teardown?(): Promise<void>;
  /** Cases this backend cannot express, each with the reason shown in the test name. */
  unsupported?: Partial<Record<ContractCase, string>>;
  /** The backend estimates usage instead of reporting the provider's counts. */
  estimatesUsage?: boolean;
  /** The backend hands its text to `onText` in one piece, not streamed in several. */
  wholeText?: boolean;
}

const VOTE: ToolSpec = {
  name: "vote",
  description: "Vote for the best answer so far.",
  parameters: { type: "object", properties: { answer: { type: "string" }, reason: { type: "string" } }, required: ["answer", "reason"] },
};

function request(signal?: AbortSignal): CompletionRequest {
  return {
    system: "You are the contract test. Reply as told.",
    messages: [{ role: "user", content: "Say something, or call `vote`." }],
    tools: [VOTE],
    ...(signal && { signal }),
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/**
 * The behaviour every ModelClient shares (docs/architecture.md §5), run once per backend by model-clients.test.ts,
 * as hono's routers share common.case.test.ts.
 *
 * @example
 * modelClientContract("scripted", { client: async (replies) => createScriptedClient("alpha", scriptOf(replies), { clock: systemClock }) });
 */
export function modelClientContract(name: string, harness: ContractHarness): void {
  describe(`ModelClient contract: ${name}`, () => {
    afterAll(async () => {
      await harness.teardown?.();
    });

    // A case the backend cannot express is skipped, and the skip names the reason.
    const test = (key: ContractCase, title: string, body: () => Promise<void>) => {
      const reason = harness.unsupported?.[key];
      if (reason) it.skip(`${title} (not for ${name}: ${reason})`, body);
      else it(title, body);
    };

    test("text", "returns plain text with stopReason end", async () => {
      const client = await harness.client([{ text: "Hello from the contract." }]);
      const turn = await client.complete(request());
      expect(turn.text).toBe("Hello from the contract.");
      expect(turn.toolCalls).toEqual([]);
      expect(turn.stopReason).toBe("end");
      expect(turn.model).toBe(client.model);
    });

    test("toolCall", "returns one tool call with its arguments parsed and the raw JSON kept", async () => {
      const args = '{"answer":"A","reason":"clear and complete"}';
      const client = await harness.client([{ toolCall: { name: "vote", args } }]);
      const turn = await client.complete(request());
      expect(turn.toolCalls).toHaveLength(1);
      expect(turn.toolCalls[0]).toMatchObject({ name: "vote", arguments: { answer: "A", reason: "clear and complete" }, rawArguments: args });
      expect(turn.toolCalls[0]!.id).toMatch(/\S/);
      expect(turn.stopReason).toBe("tool_use");
    });

    test("invalidJson", "gives undefined arguments and the raw text for a tool call whose JSON does not parse", async () => {
      const args = '{"answer": "A", "reason": "cut';
      const client = await harness.client([{ toolCall: { name: "vote", args } }]);
      const turn = await client.complete(request());
      expect(turn.toolCalls).toHaveLength(1);
      expect(turn.toolCalls[0]!.name).toBe("vote");
      expect(turn.toolCalls[0]!.arguments).toBeUndefined();
      expect(turn.toolCalls[0]!.rawArguments).toBe(args);
    });

    test("usage", "reports the tokens used", async () => {
      const client = await harness.client([{ text: "Counted.", usage: { input: 42, output: 7 } }]);
      const turn = await client.complete(request());
      if (harness.estimatesUsage) {
        expect(turn.usage.input_tokens).toBeGreaterThan(0);
        expect(turn.usage.output_tokens).toBeGreaterThan(0);
        expect(turn.usage.estimated).toBe(true);
      } else {
        expect(turn.usage).toMatchObject({ input_tokens: 42, output_tokens: 7, cached_tokens: 0 });
        expect(turn.usage.estimated).toBeUndefined();
      }
    });

    test("abort", "rejects with a ModelApiError of kind aborted when the signal aborts mid-call", async () => {
      const client = await harness.client([{ text: "never finished", hang: true }]);
      const controller = new AbortController();
      const started = Date.now();
      const timer = setTimeout(() => controller.abort(new Error("test abort")), 100);
      try {
        const error = await rejectionOf(client.complete(request(controller.signal)));
        expect(error).toBeInstanceOf(ModelApiError);
        expect(error).toMatchObject({ kind: "aborted", retryable: false });
        expect((error as Error).message).toMatch(/`alpha`.*call aborted/);
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        clearTimeout(timer);
      }
    });

    test("onText", "streams the text to onText in order, the pieces joined being the reply's text", async () => {
      const text = "Streamed piece by piece, in order, to the caller.";
      const client = await harness.client([{ text }]);
      const deltas: string[] = [];
      const turn = await client.complete({ ...request(), onText: (delta) => deltas.push(delta) });
      expect(turn.text).toBe(text);
      expect(deltas.join("")).toBe(text);
      expect(deltas.every((d) => d.length > 0)).toBe(true);
      if (harness.wholeText) expect(deltas).toEqual([text]);
      else expect(deltas.length).toBeGreaterThan(1);
    });

    test("onText", "never passes a tool call's arguments to onText", async () => {
      const client = await harness.client([{ toolCall: { name: "vote", args: '{"answer":"A","reason":"clear and complete"}' } }]);
      const deltas: string[] = [];
      const turn = await client.complete({ ...request(), onText: (delta) => deltas.push(delta) });
      expect(turn.toolCalls).toHaveLength(1);
      expect(deltas).toEqual([]);
    });

    test("maxTokens", "reports a reply cut off at max_tokens as stopReason max_tokens", async () => {
      const client = await harness.client([{ text: "The answer is cut off mid-", stopReason: "max_tokens" }]);
      const turn = await client.complete(request());
      expect(turn.text).toBe("The answer is cut off mid-");
      expect(turn.stopReason).toBe("max_tokens");
    });
  });
}
