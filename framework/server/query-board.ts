import { ConfigError } from "../errors.ts";
import type { HumanQuery } from "../workspace/human-query.ts";

/** A decision query waiting for an answer, in the wire shape of docs/architecture.md §9. */
export interface PendingQuery {
  type: "query";
  id: string;
  run_id: string;
  agent: string | null;
  question: string;
  options: string[] | null;
  context: string | null;
}

/** What a board's listeners hear: a query asked, or settled (answered, timed out, or given up by its run). */
export type QueryEvent = { type: "asked"; query: PendingQuery } | { type: "settled"; id: string; answer: string | null };

/** The one place agents' questions wait for a person, whichever surface answers (terminal, MCP, HTTP). */
export interface QueryBoard {
  /** Asks on behalf of an agent of a run; resolves with the answer, or null after `timeoutMs` or once `signal` aborts. */
  ask(runId: string, agent: string | null, query: HumanQuery, signal?: AbortSignal): Promise<string | null>;
  /** The queries waiting for an answer, oldest first. */
  list(): PendingQuery[];
  /** The pending query with this id, if there is one. */
  get(id: string): PendingQuery | undefined;
  /** Answers a pending query: one of its options or free text. Throws a ConfigError for an unknown id or an empty answer. */
  answer(id: string, text: string): PendingQuery;
  /** Gives a pending query up: its agent is told nobody answered (it states its assumption). */
  dismiss(id: string): boolean;
  /** Calls `listener` for every query asked and settled from now on; returns the unsubscribe. */
  subscribe(listener: (event: QueryEvent) => void): () => void;
}

/**
 * A board of decision queries with ids `q1`, `q2`…: `ask` is wired as run()'s `askHuman`, a
 * front end lists the queries and answers them. Nobody answering within `timeoutMs`
 * (`coordination.timeouts.human`) resolves the query to null: the agent states its assumption.
 *
 * @example
 * const queries = createQueryBoard({ timeoutMs: 600_000 });
 * const answer = queries.ask("20260101-120000-ab12", "beta", { question: "JWT or Session?", options: ["JWT", "Session"] });
 * queries.answer("q1", "JWT"); // answer resolves to "JWT"
 */
export function createQueryBoard(options: { timeoutMs: number }): QueryBoard {
  const pending = new Map<string, { query: PendingQuery; settle: (answer: string | null) => void }>();
  const listeners = new Set<(event: QueryEvent) => void>();
  let next = 0;
  const emit = (event: QueryEvent) => {
    for (const listener of listeners) listener(event);
  };

  const board: QueryBoard = {
    ask(runId, agent, query, signal) {
      if (signal?.aborted) return Promise.resolve(null);
      const id = `q${++next}`;
      const wire: PendingQuery = { type: "query", id, run_id: runId, agent, question: query.question, options: query.options ?? null, context: query.context ?? null };
      return new Promise((resolve) => {
        const timer = setTimeout(() => settle(null), options.timeoutMs);
        timer.unref();
        const onAbort = () => settle(null);
        const settle = (answer: string | null) => {
          if (!pending.delete(id)) return;
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          emit({ type: "settled", id, answer });
          resolve(answer);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        pending.set(id, { query: wire, settle });
        emit({ type: "asked", query: wire });
      });
    },
    list: () => [...pending.values()].map((p) => p.query),
    get: (id) => pending.get(id)?.query,
    answer(id, text) {
      const entry = pending.get(id);
      if (!entry) {
        const open = [...pending.keys()];
        throw new ConfigError(`no pending query \`${id}\`: ${open.length ? `the pending ones are ${open.join(", ")}` : "none is pending (it may have been answered, or timed out)"}; list_queries lists them.`);
      }
      const answer = text.trim();
      if (!answer) throw new ConfigError(`an empty answer to query \`${id}\`: give ${entry.query.options ? `one of ${entry.query.options.map((o) => `"${o}"`).join(", ")}, or ` : ""}your answer in words.`);
      entry.settle(answer);
      return entry.query;
    },
    dismiss(id) {
      const entry = pending.get(id);
      entry?.settle(null);
      return Boolean(entry);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return board;
}
