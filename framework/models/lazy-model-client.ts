import type { Completion, CompletionRequest, ModelClient } from "./model.ts";

/**
 * A ModelClient whose real client is made on its first call, so a provider's SDK is loaded (a
 * dynamic import of a few hundred files) only by a process whose agents call that provider: a dry
 * run, a scripted run or `conclave --help` never loads one. `backend` and `model` are known
 * at once; a failure to load or make the client rejects that call, and the next call tries again.
 *
 * @example
 * const client = lazyModelClient("anthropic", "claude-sonnet-4-5", async () => {
 *   const { createAnthropicClient } = await import("./anthropic/anthropic-client.ts");
 *   return createAnthropicClient("beta", backend, deps);
 * });
 */
export function lazyModelClient(backend: string, model: string, make: () => Promise<ModelClient>): ModelClient {
  let client: Promise<ModelClient> | undefined;
  return {
    backend,
    model,
    async complete(request: CompletionRequest): Promise<Completion> {
      client ??= make().catch((error: unknown) => {
        client = undefined;
        throw error;
      });
      return (await client).complete(request);
    },
  };
}
