import { systemClock, type Clock } from "../clock.ts";
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

/**
 * How a query was settled: `answered`; `dismissed` (someone declined to answer); `timed out`
 * (nobody answered within the board's timeoutMs); `withdrawn` (its run no longer waits: the
 * signal given to ask() aborted). All but `answered` leave the agent to state its assumption.
 */
export type QuerySettlement = { answer: string; reason: "answered" } | { answer: null; reason: "dismissed" | "timed out" | "withdrawn" };

/** What a board's listeners hear: a query asked, or settled (answered, timed out, or given up by its run). */
export type QueryEvent = { type: "asked"; query: PendingQuery } | ({ type: "settled"; id: string } & QuerySettlement);

/** A question put on the board: its wire shape (none when the signal had already aborted) and how it will be settled. */
export interface PostedQuery {
  query: PendingQuery | null;
  settled: Promise<QuerySettlement>;
}

/** The one place agents' questions wait for a person, whichever surface answers (terminal, chat, MCP, HTTP). */
export interface QueryBoard {
  /** How long a query waits for an answer before it resolves to null (coordination.timeouts.human), in ms. */
  readonly timeoutMs: number;
  /** Asks on behalf of an agent of a run; resolves with the answer, or null after `timeoutMs` or once `signal` aborts. */
  ask(runId: string, agent: string | null, query: HumanQuery, signal?: AbortSignal): Promise<string | null>;
  /** As ask(), for a front end that answers the query itself: the query's id at once, and why it was settled. */
  post(runId: string, agent: string | null, query: HumanQuery, signal?: AbortSignal): PostedQuery;
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
 * A board of decision queries with ids `q1`, `q2`…, the one every surface serves: `ask` is wired
 * as run()'s `askHuman`, a front end (the terminal, the chat, the MCP tools, the HTTP API) shows
 * the queries and answers them. Nobody answering within `timeoutMs`
 * (`coordination.timeouts.human`, on `clock`, the wall clock by default) resolves the query to
 * null: the agent states its assumption.
 *
 * @example
 * const queries = createQueryBoard({ timeoutMs: 600_000 });
 * const answer = queries.ask("20260101-120000-ab12", "beta", { question: "JWT or Session?", options: ["JWT", "Session"] });
 * queries.answer("q1", "JWT"); // answer resolves to "JWT"
 */
export function createQueryBoard(options: { timeoutMs: number; clock?: Clock }): QueryBoard {
  const clock = options.clock ?? systemClock;
  const pending = new Map<string, { query: PendingQuery; settle: (settlement: QuerySettlement) => void }>();
  const listeners = new Set<(event: QueryEvent) => void>();
  let next = 0;
  // One surface's listener failing (a closed stream, a bug) must not keep the others, or the agent, waiting.
  const emit = (event: QueryEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // The agent's answer comes first; a listener's trouble is its own.
      }
    }
  };

  const post = (runId: string, agent: string | null, query: HumanQuery, signal?: AbortSignal): PostedQuery => {
    if (signal?.aborted) return { query: null, settled: Promise.resolve({ answer: null, reason: "withdrawn" }) };
    const id = `q${++next}`;
    const wire: PendingQuery = { type: "query", id, run_id: runId, agent, question: query.question, options: query.options ?? null, context: query.context ?? null };
    const settled = new Promise<QuerySettlement>((resolve) => {
      const settle = (settlement: QuerySettlement) => {
        if (!pending.delete(id)) return;
        clock.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(settlement);
        emit({ type: "settled", id, ...settlement });
      };
      const onAbort = () => settle({ answer: null, reason: "withdrawn" });
      const timer = clock.setTimeout(() => settle({ answer: null, reason: "timed out" }), options.timeoutMs);
      // A question nobody answers never keeps the process alive by itself.
      (timer as { unref?: () => void } | undefined)?.unref?.();
      signal?.addEventListener("abort", onAbort, { once: true });
      pending.set(id, { query: wire, settle });
      emit({ type: "asked", query: wire });
    });
    return { query: wire, settled };
  };

  return {
    timeoutMs: options.timeoutMs,
    post,
    ask: (runId, agent, query, signal) => post(runId, agent, query, signal).settled.then((s) => s.answer),
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
      entry.settle({ answer, reason: "answered" });
      return entry.query;
    },
    dismiss(id) {
      const entry = pending.get(id);
      entry?.settle({ answer: null, reason: "dismissed" });
      return Boolean(entry);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
