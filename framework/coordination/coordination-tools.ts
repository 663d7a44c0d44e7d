import { z } from "zod";
import type { ToolSpec } from "../models/model.ts";

/** Arguments of the `new_answer` tool. */
export const newAnswerArgs = z.strictObject({
  content: z.string().trim().min(1, "the answer must not be empty").describe("Your complete answer, in Markdown."),
  data: z.unknown().optional().describe("Structured data, when the task asks for it."),
});

/** Arguments of the `vote` tool. */
export const voteArgs = z.strictObject({
  answer: z.string().trim().min(1).describe("The label of the answer you vote for, e.g. A."),
  reason: z.string().describe("Why this answer is the best one."),
});

const NEW_ANSWER: ToolSpec = {
  name: "new_answer",
  description: "Post your answer (or a revised answer) for the others to see and vote on.",
  parameters: z.toJSONSchema(newAnswerArgs) as Record<string, unknown>,
};

const VOTE: ToolSpec = {
  name: "vote",
  description: "Vote for the best answer so far, by its label, with a short reason.",
  parameters: z.toJSONSchema(voteArgs) as Record<string, unknown>,
};

/**
 * The coordination tools offered in a turn. With `dataSchema` (the JSON Schema of the run's
 * structured output), `new_answer` requires `data` matching it.
 */
export function coordinationTools(options: { newAnswer: boolean; vote: boolean; dataSchema?: Record<string, unknown> }): ToolSpec[] {
  const newAnswer = options.dataSchema ? withData(options.dataSchema) : NEW_ANSWER;
  return [...(options.newAnswer ? [newAnswer] : []), ...(options.vote ? [VOTE] : [])];
}

function withData(schema: Record<string, unknown>): ToolSpec {
  const base = NEW_ANSWER.parameters as { properties: Record<string, unknown>; required?: string[] };
  const { $schema: _, ...data } = schema;
  return {
    ...NEW_ANSWER,
    description: `${NEW_ANSWER.description} Put the structured result in \`data\`, matching its schema exactly; \`content\` explains it.`,
    parameters: { ...base, properties: { ...base.properties, data: { ...data, description: "The structured result the task asks for." } }, required: ["content", "data"] },
  };
}
