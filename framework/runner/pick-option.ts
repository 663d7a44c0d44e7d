/**
 * The answer a person typed to an agent's question with `options`: a number picks that option
 * (its text is the answer), anything else is the answer as typed, and nothing is null (the
 * agent decides).
 *
 * @example
 * pickOption(" 2 ", ["8080", "9090"]); // "9090"
 * pickOption("3000", ["8080", "9090"]); // "3000"
 */
export function pickOption(reply: string, options: readonly string[] = []): string | null {
  const text = reply.trim();
  const n = /^\d+$/.test(text) ? Number(text) : 0;
  const picked = n >= 1 && n <= options.length ? options[n - 1]! : text;
  return picked || null;
}

/**
 * An agent's question as the terminal shows it: the question, its context, its options numbered.
 *
 * @example
 * queryLines({ question: "Which port?", options: ["8080", "9090"] }); // "Which port?\n  1. 8080\n  2. 9090\n"
 */
export function queryLines(query: { question: string; options?: readonly string[]; context?: string }): string {
  const context = query.context ? `${query.context.split("\n").map((l) => `  ${l}`).join("\n")}\n` : "";
  return `${query.question}\n${context}${(query.options ?? []).map((o, i) => `  ${i + 1}. ${o}\n`).join("")}`;
}
