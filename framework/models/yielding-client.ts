import { yieldWhenBusy } from "../yield-when-busy.ts";
import type { ModelClient } from "./model.ts";

/**
 * `client`, whose replies (and failures) come back through yieldWhenBusy(): a process running many runs
 * handles the replies that arrive together in slices, keeping its event loop responsive. For runs on the
 * system clock.
 *
 * @example
 * const client = yieldingClient(createModelClient(agent, deps));
 */
export function yieldingClient(client: ModelClient): ModelClient {
  return {
    backend: client.backend,
    model: client.model,
    ...(client.replayed && { replayed: client.replayed.bind(client) }),
    async complete(request) {
      try {
        return await client.complete(request);
      } finally {
        await yieldWhenBusy();
      }
    },
  };
}
