import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

// The floor of vs_langgraph: the same shape with nothing but the sleeps: n in parallel, n in
// parallel, then one. No framework can beat it.

/**
 * @example
 * await floorVote(3, 100)("any task"); // about 300 ms
 */
export function floorVote(agents: number, latencyMs: number): (task: string) => Promise<{ presentation: string; calls: number }> {
  const call = (text: string) => new Promise<string>((resolve) => setTimeout(() => resolve(text), latencyMs));
  return async (task: string) => {
    const answers = await Promise.all(Array.from({ length: agents }, (_, i) => call(`agent${i + 1}: ${task}`)));
    const votes = await Promise.all(answers.map((_, i) => call(String((i + 1) % agents))));
    const presentation = await call(answers[Number(votes[0])]!);
    return { presentation, calls: answers.length + votes.length + 1 };
  };
}

// (realpath: node names the main module by its real path, whatever path started it.)
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const { presentation } = await floorVote(3, Number(process.env.LATENCY_MS ?? 100))("Name three risks of moving our API to HTTP/3");
  process.stdout.write(`${presentation}\n`);
}
