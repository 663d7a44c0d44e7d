import { z } from "zod";
import { MAX_QUERY_OPTIONS } from "../human-query.ts";
import { defineTool } from "./define-tool.ts";

/** What `ask_human` answers when nobody is there. */
export const NOBODY_AVAILABLE = "Nobody is available to answer. State your assumption in your answer and carry on.";

/**
 * `ask_human {question, options?, context?}`: asks the person running the workflow, offering
 * `options` to pick from (they may answer in their own words) with `context` to go on, and
 * returns the answer (a picked option's text), or, when nobody is there (no `askHuman`, or it
 * resolves to null), tells the agent to state its assumption and carry on.
 *
 * @example
 * await askHumanTool.run({ question: "Which port?", options: ["8080", "9090"] }, { ...settings, askHuman: async ({ options }) => options![1]! });
 * // { ok: true, content: "9090" }
 */
export const askHumanTool = defineTool({
  name: "ask_human",
  description:
    "Ask the person running this workflow a question, when you cannot go on without their decision. Offer the likely answers as `options` when there are some (they may still answer in their own words). They may not be there.",
  args: z.strictObject({
    question: z.string().trim().min(1).describe("One clear question."),
    options: z
      .array(z.string().trim().min(1, "each option must be non-empty text"))
      .min(1, "give at least one option, or leave `options` out")
      .max(MAX_QUERY_OPTIONS, `at most ${MAX_QUERY_OPTIONS} options: offer the likeliest, the person may still answer in their own words`)
      .optional()
      .describe(`Up to ${MAX_QUERY_OPTIONS} answers to choose from, each short.`),
    context: z.string().trim().min(1).optional().describe("What the person should know to answer: what you found, what each option means."),
  }),
  async run({ question, options, context }, settings, signal) {
    let answer: string | null = null;
    try {
      answer = settings.askHuman ? await settings.askHuman({ question, ...(options && { options }), ...(context && { context }) }, signal) : null;
    } catch (error) {
      return { ok: false, content: `Could not ask the human (${(error as Error).message}). ${NOBODY_AVAILABLE}` };
    }
    return { ok: true, content: answer ?? NOBODY_AVAILABLE };
  },
});
