import type { Completion } from "../models/model.ts";
import { newAnswerArgs, voteArgs } from "./coordination-tools.ts";
import { findTooSimilar, jaccard } from "./novelty.ts";
import type { AgentTurn } from "./prompts.ts";

export type TurnOutcome =
  | { kind: "answer"; content: string; data?: unknown }
  | { kind: "vote"; label: string; reason: string }
  | { kind: "present"; content: string; data?: unknown }
  | { kind: "invalid"; message: string; toolCallId?: string; /** The answer's `data` does not fit the run's output schema. */ aboutData?: boolean }
  | { kind: "stopped"; reason: "truncated" | "refusal"; message: string };

/**
 * Checks one model turn against the rules of the round. An invalid turn's `message` is what
 * the agent is told in its one repair turn: what was wrong and what to do instead.
 */
export function checkTurn(turn: Pick<AgentTurn, "phase" | "rules">, completion: Completion): TurnOutcome {
  const call = completion.toolCalls[0];
  // A reply cut off or refused is that agent's outcome, whatever it contains: never committed, never looped.
  const stopped = stoppedOr(completion, undefined);
  if (stopped) return stopped;
  if (turn.phase === "presentation") {
    if (call?.name === "new_answer") {
      const args = newAnswerArgs.safeParse(call.arguments);
      if (args.success) return { kind: "present", content: args.data.content, data: args.data.data };
    }
    if (completion.text.trim()) return { kind: "present", content: completion.text.trim() };
    return stoppedOr(completion, { kind: "invalid", message: "Reply with the final answer as plain text." });
  }

  const { rules } = turn;
  const allowed = [rules.canAnswer && "`new_answer`", rules.voteLabels.length > 0 && "`vote`"].filter(Boolean).join(" or ");
  if (!call) return stoppedOr(completion, { kind: "invalid", message: `You replied without calling a tool. Call ${allowed}.` });

  const id = call.id;
  if (call.arguments === undefined) {
    return { kind: "invalid", toolCallId: id, message: `The arguments of \`${call.name}\` were not valid JSON: ${clip(call.rawArguments)}. Call ${allowed} again with a JSON object.` };
  }
  if (call.name === "new_answer" && rules.canAnswer) {
    const args = newAnswerArgs.safeParse(call.arguments);
    if (!args.success) return { kind: "invalid", toolCallId: id, message: `Invalid \`new_answer\` arguments: ${issues(args.error)}.` };
    const similar = findTooSimilar(args.data.content, rules.existing, rules.novelty);
    if (similar) {
      const score = jaccard(args.data.content, similar.content).toFixed(2);
      return {
        kind: "invalid",
        toolCallId: id,
        message: `Your answer is too similar to answer ${similar.label} (similarity ${score}, the limit is ${rules.novelty}). ${rules.voteLabels.length ? "Vote for the best answer instead." : "Post an answer that adds something new."}`,
      };
    }
    return { kind: "answer", content: args.data.content, data: args.data.data };
  }
  if (call.name === "vote" && rules.voteLabels.length > 0) {
    const args = voteArgs.safeParse(call.arguments);
    if (!args.success) return { kind: "invalid", toolCallId: id, message: `Invalid \`vote\` arguments: ${issues(args.error)}.` };
    const label = args.data.answer.trim().replace(/^answer\s+/i, "").toUpperCase();
    if (!rules.voteLabels.includes(label)) {
      const own = label === rules.ownLabel ? ` You may not vote for your own answer (${label}).` : "";
      return { kind: "invalid", toolCallId: id, message: `You voted for "${args.data.answer}", which is not a label you can vote for.${own} Choose one of ${rules.voteLabels.join(", ")}.` };
    }
    if (rules.requireReason && !args.data.reason.trim()) {
      return { kind: "invalid", toolCallId: id, message: "A vote needs a reason: say why this answer is the best." };
    }
    return { kind: "vote", label, reason: args.data.reason.trim() };
  }
  return { kind: "invalid", toolCallId: id, message: `\`${call.name}\` is not a tool you can call now. Call ${allowed}.` };
}

function stoppedOr<T extends TurnOutcome | undefined>(completion: Completion, otherwise: T): TurnOutcome | T {
  if (completion.stopReason === "max_tokens") return { kind: "stopped", reason: "truncated", message: "the reply was cut off at max_tokens" };
  if (completion.stopReason === "refusal") return { kind: "stopped", reason: "refusal", message: "the model refused to answer" };
  return otherwise;
}

function issues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.length ? `\`${i.path.join(".")}\` ` : ""}${i.message}`).join("; ");
}

function clip(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
