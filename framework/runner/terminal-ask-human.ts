import { createInterface } from "node:readline/promises";
import type { QueryBoard, QuerySettlement } from "../runs/query-board.ts";
import type { HumanQuery } from "../workspace/human-query.ts";
import { pickOption, queryLines } from "./pick-option.ts";

/** An agent's question asked at the terminal: the board's `ask`, answered by whoever types. */
export type TerminalAsk = (runId: string, agent: string | null, query: HumanQuery, signal?: AbortSignal) => Promise<string | null>;

/**
 * Answers agents' `ask_human` from the terminal through `board`, the query board every surface
 * serves: each question is posted there and shown one at a time, its options numbered (a number
 * picks that option's text, other text is the answer, Enter declines). Nobody answering within
 * the board's timeout (coordination.timeouts.human) takes the question off the terminal with a
 * one-line notice, and the agent states its assumption; so does a stdin that is not a TTY, at
 * once (nobody is there). The turn's `signal` withdraws the question (a stop request, a
 * deadline), and Ctrl+C at the question is the process's own Ctrl+C (readline would otherwise
 * keep the key to itself).
 *
 * @example
 * const ask = terminalAskHuman({ board: createQueryBoard({ timeoutMs: config.coordination.timeouts.human * 1000 }) });
 * await run({ task, onStart: (s) => (runId = s.runId), askHuman: (query, signal, asker) => ask(runId, asker?.agent ?? null, query, signal) });
 */
export function terminalAskHuman(options: { board: QueryBoard; input?: NodeJS.ReadStream; output?: NodeJS.WriteStream }): TerminalAsk {
  const { board, input = process.stdin, output = process.stderr } = options;
  const noAnswer = `No answer in ${board.timeoutMs / 1000} s: the agent will state its assumption.`;
  let queue: Promise<unknown> = Promise.resolve();

  // Shows one posted question until it is answered here or settled elsewhere (timed out, withdrawn).
  const show = async (id: string, query: HumanQuery, settled: Promise<QuerySettlement>) => {
    if (!board.get(id)) {
      // Settled while an earlier question had the terminal: said in one line if nobody answered in time.
      if ((await settled).reason === "timed out") output.write(`\nAn agent asked: ${query.question}\n${noAnswer}\n`);
      return;
    }
    const offPrompt = new AbortController();
    let settlement: QuerySettlement | undefined;
    void settled.then((s) => {
      settlement = s;
      offPrompt.abort();
    });
    const rl = createInterface({ input, output });
    rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
    try {
      const numbered = query.options?.length ? "(a number or your own words) " : "";
      const typed = await rl.question(`\nAn agent asks: ${queryLines(query)}${numbered}> `, { signal: offPrompt.signal });
      const answer = pickOption(typed, query.options);
      if (answer === null) board.dismiss(id);
      else board.answer(id, answer);
    } catch (error) {
      if (!offPrompt.signal.aborted) throw error;
      // Taken off the prompt (readline has ended its line): the next line says why when nobody answered in time.
      if (settlement?.reason === "timed out") output.write(`${noAnswer}\n`);
    } finally {
      rl.close();
    }
  };

  return async (runId, agent, query, signal) => {
    if (!input.isTTY) return null;
    const posted = board.post(runId, agent, query, signal);
    if (!posted.query) return null;
    const shown = queue.then(() => show(posted.query!.id, query, posted.settled));
    queue = shown.catch(() => undefined);
    // The prompt failing (the terminal gone) leaves nobody to answer: the agent states its assumption.
    shown.catch(() => board.dismiss(posted.query!.id));
    return (await posted.settled).answer;
  };
}
