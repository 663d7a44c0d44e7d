import { createInterface } from "node:readline/promises";
import type { AskHuman } from "../workspace/human-query.ts";
import { pickOption, queryLines } from "./pick-option.ts";

/**
 * Answers an agent's `ask_human` from the terminal, one question at a time, its options numbered
 * (a number picks that option's text, other text is the answer); null (nobody is
 * there) when stdin is not a TTY, so the agent states its assumption instead. The turn's
 * `signal` takes the question off the terminal (a stop request, a deadline), and Ctrl+C at the
 * question is the process's own Ctrl+C (readline would otherwise keep the key to itself).
 *
 * @example
 * await run({ task, askHuman: terminalAskHuman() });
 */
export function terminalAskHuman(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): AskHuman {
  let queue: Promise<unknown> = Promise.resolve();
  return (query, signal) => {
    if (!input.isTTY) return Promise.resolve(null);
    const asked = queue.then(async () => {
      signal?.throwIfAborted();
      const rl = createInterface({ input, output });
      rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
      try {
        const numbered = query.options?.length ? "(a number or your own words) " : "";
        const answer = await rl.question(`\nAn agent asks: ${queryLines(query)}${numbered}> `, signal ? { signal } : {});
        return pickOption(answer, query.options);
      } finally {
        rl.close();
      }
    });
    queue = asked.catch(() => undefined);
    return asked;
  };
}
