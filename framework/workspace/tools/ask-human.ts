import { z } from "zod";
import { defineTool } from "./define-tool.ts";

/** What `ask_human` answers when nobody is there. */
export const NOBODY_AVAILABLE = "Nobody is available to answer. State your assumption in your answer and carry on.";

/**
 * `ask_human {question}`: asks the person running the workflow and returns the answer, or,
 * when nobody is there (no `askHuman`, or it resolves to null), tells the agent to state its
 * assumption and carry on.
 *
 * @example
 * await askHumanTool.run({ question: "Which port?" }, { ...settings, askHuman: async () => "8080" });
 * // { ok: true, content: "8080" }
 */
export const askHumanTool = defineTool({
  name: "ask_human",
  description:
    "Ask the person running this workflow a question, when you cannot go on without their decision. They may not be there.",
  args: z.strictObject({ question: z.string().trim().min(1).describe("One clear question.") }),
  async run({ question }, settings, signal) {
    let answer: string | null = null;
    try {
      answer = settings.askHuman ? await settings.askHuman(question, signal) : null;
    } catch (error) {
      return { ok: false, content: `Could not ask the human (${(error as Error).message}). ${NOBODY_AVAILABLE}` };
    }
    return { ok: true, content: answer ?? NOBODY_AVAILABLE };
  },
});
