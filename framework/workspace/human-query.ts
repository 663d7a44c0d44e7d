/** What an agent's `ask_human` asks: a question, the answers it offers (a person may pick one or say another), and what led to it. */
export interface HumanQuery {
  question: string;
  /** Answers to choose from, each non-empty, at most MAX_QUERY_OPTIONS; the person may still answer in their own words. */
  options?: string[];
  /** What the person should know to answer (the agent's situation, what it tried). */
  context?: string;
}

/** The most options one `ask_human` may offer. */
export const MAX_QUERY_OPTIONS = 10;

/**
 * Answers an agent's `ask_human`; resolves to null when nobody is there (the agent states its
 * assumption instead). An answer picked from `options` is that option's text. A run says which
 * of its agents asks (`asker.agent`).
 *
 * @example
 * const askHuman: AskHuman = async ({ question, options }, _signal, asker) => options?.[0] ?? null;
 */
export type AskHuman = (query: HumanQuery, signal?: AbortSignal, asker?: { agent: string }) => Promise<string | null>;
