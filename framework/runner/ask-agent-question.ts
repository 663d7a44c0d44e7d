import type { Interface } from "node:readline/promises";
import { pickOption, queryLines } from "./pick-option.ts";

/**
 * Asks an agent's `ask_human` question at the chat's terminal, through the REPL's own readline:
 * the question under its run's id, its context, its options numbered; a number picks that
 * option, other text is the answer, and Enter (or `signal` aborted, or the input closed) is
 * null: the agent decides.
 *
 * @example
 * ev.respond(await askAgentQuestion(rl, ev, process.stdout, controller.signal));
 */
export async function askAgentQuestion(
  rl: Interface,
  query: { run_id: string; question: string; options?: string[]; context?: string },
  output: { write(s: string): unknown },
  signal: AbortSignal,
): Promise<string | null> {
  const options = query.options ?? [];
  output.write(`\n[run ${query.run_id}] An agent asks: ${queryLines(query)}`);
  let reply: string;
  try {
    reply = await rl.question(options.length ? "Your answer (a number or your own words; Enter lets it decide): " : "Your answer (Enter lets it decide): ", { signal });
  } catch {
    return null;
  }
  return pickOption(reply, options);
}
