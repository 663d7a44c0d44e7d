import { createInterface } from "node:readline/promises";

/**
 * Answers an agent's `ask_human` from the terminal, one question at a time; null (nobody is
 * there) when stdin is not a TTY, so the agent states its assumption instead.
 *
 * @example
 * await run({ task, askHuman: terminalAskHuman() });
 */
export function terminalAskHuman(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr) {
  let queue: Promise<unknown> = Promise.resolve();
  return (question: string): Promise<string | null> => {
    if (!input.isTTY) return Promise.resolve(null);
    const asked = queue.then(async () => {
      const rl = createInterface({ input, output });
      try {
        const answer = await rl.question(`\nAn agent asks: ${question}\n> `);
        return answer.trim() || null;
      } finally {
        rl.close();
      }
    });
    queue = asked.catch(() => undefined);
    return asked;
  };
}
