import { describe, expect, it } from "vitest";
import { checkTurn } from "../../framework/coordination/check-turn.ts";
import type { TurnRules } from "../../framework/coordination/prompts.ts";
import type { Completion, StopReason, ToolCall } from "../../framework/models/model.ts";

function rules(extra: Partial<TurnRules> = {}): TurnRules {
  return { canAnswer: true, voteLabels: [], ownLabel: "A", requireReason: false, novelty: 0.9, versions: {}, existing: [], ...extra };
}

// Rules of a voting round for agent A among A, B and C under `balanced` (no self-votes).
function votingRules(extra: Partial<TurnRules> = {}): TurnRules {
  return rules({
    voteLabels: ["B", "C"],
    versions: { A: "alpha.1", B: "beta.1", C: "gamma.1" },
    existing: [
      { label: "A", version: "alpha.1", content: "alpha says start from the smallest change that works" },
      { label: "B", version: "beta.1", content: "beta says list the risks first and remove the largest" },
      { label: "C", version: "gamma.1", content: "gamma says work backwards from how the result is checked" },
    ],
    ...extra,
  });
}

function toolCall(name: string, args: unknown, id = "call_1"): ToolCall {
  return { id, name, arguments: args, rawArguments: args === undefined ? "" : JSON.stringify(args) };
}

function completion(extra: { text?: string; toolCalls?: ToolCall[]; stopReason?: StopReason } = {}): Completion {
  return {
    text: extra.text ?? "",
    toolCalls: extra.toolCalls ?? [],
    stopReason: extra.stopReason ?? (extra.toolCalls?.length ? "tool_use" : "end"),
    usage: { input_tokens: 10, output_tokens: 5, cached_tokens: 0 },
    model: "test-model",
  };
}

describe("checkTurn()", () => {
  describe("in generation", () => {
    const turn = { phase: "generation" as const, rules: rules() };

    it("accepts a new_answer call", () => {
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("new_answer", { content: "Use an LRU cache." })] }))).toEqual({
        kind: "answer",
        content: "Use an LRU cache.",
        data: undefined,
      });
    });

    it("keeps the structured data sent with an answer", () => {
      const outcome = checkTurn(turn, completion({ toolCalls: [toolCall("new_answer", { content: "Plan", data: { steps: [1, 2] } })] }));
      expect(outcome).toEqual({ kind: "answer", content: "Plan", data: { steps: [1, 2] } });
    });

    it("refuses an empty answer", () => {
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("new_answer", { content: "   " })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: "Invalid `new_answer` arguments: `content` the answer must not be empty.",
      });
    });

    it("refuses arguments that did not parse as JSON and shows them", () => {
      const call: ToolCall = { id: "call_7", name: "new_answer", arguments: undefined, rawArguments: '{"content": "unterminated' };
      expect(checkTurn(turn, completion({ toolCalls: [call] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_7",
        message: 'The arguments of `new_answer` were not valid JSON: "{\\"content\\": \\"unterminated". Call `new_answer` again with a JSON object.',
      });
    });

    it("refuses a tool that is not offered and names the one that is", () => {
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("read_file", { path: "x" })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: "`read_file` is not a tool you can call now. Call `new_answer`.",
      });
    });

    it("refuses a vote when no vote is allowed", () => {
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "B", reason: "good" })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: "`vote` is not a tool you can call now. Call `new_answer`.",
      });
    });

    it("refuses plain text with no tool call", () => {
      expect(checkTurn(turn, completion({ text: "Here is my answer: use a cache." }))).toEqual({
        kind: "invalid",
        message: "You replied without calling a tool. Call `new_answer`.",
      });
    });

    it("reports a reply cut off at max_tokens without a tool call as truncated", () => {
      expect(checkTurn(turn, completion({ text: "Here is my ans", stopReason: "max_tokens" }))).toEqual({
        kind: "stopped",
        reason: "truncated",
        message: "the reply was cut off at max_tokens",
      });
    });

    it("reports a refusal without a tool call as a refusal", () => {
      expect(checkTurn(turn, completion({ text: "I can't help with that.", stopReason: "refusal" }))).toEqual({
        kind: "stopped",
        reason: "refusal",
        message: "the model refused to answer",
      });
    });

    it("checks only the first of several tool calls", () => {
      const calls = [toolCall("new_answer", { content: "first" }, "call_1"), toolCall("new_answer", { content: "second" }, "call_2")];
      expect(checkTurn(turn, completion({ toolCalls: calls }))).toMatchObject({ kind: "answer", content: "first" });
    });
  });

  describe("in voting", () => {
    it("accepts a vote for an allowed label and trims the reason", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "B", reason: "  most complete  " })] }))).toEqual({
        kind: "vote",
        label: "B",
        reason: "most complete",
      });
    });

    it("normalises a label such as `answer b` to B", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "answer b", reason: "r" })] }))).toEqual({
        kind: "vote",
        label: "B",
        reason: "r",
      });
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: " Answer C ", reason: "r" })] }))).toMatchObject({ label: "C" });
    });

    it("refuses a vote for its own label and names the labels it may vote for", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "a", reason: "mine is best" })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: 'You voted for "a", which is not a label you can vote for. You may not vote for your own answer (A). Choose one of B, C.',
      });
    });

    it("refuses a vote for a label that does not exist", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "Z", reason: "r" })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: 'You voted for "Z", which is not a label you can vote for. Choose one of B, C.',
      });
    });

    it("accepts a vote with an empty reason outside strict mode", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "B", reason: "" })] }))).toEqual({ kind: "vote", label: "B", reason: "" });
    });

    it("requires a reason in strict mode", () => {
      const turn = { phase: "voting" as const, rules: votingRules({ requireReason: true }) };
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "B", reason: "   " })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: "A vote needs a reason: say why this answer is the best.",
      });
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "B", reason: "clearest" })] }))).toEqual({
        kind: "vote",
        label: "B",
        reason: "clearest",
      });
    });

    it("refuses vote arguments without a reason field", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      const outcome = checkTurn(turn, completion({ toolCalls: [toolCall("vote", { answer: "B" })] }));
      expect(outcome).toMatchObject({ kind: "invalid", toolCallId: "call_1" });
      expect(outcome.kind === "invalid" && outcome.message.startsWith("Invalid `vote` arguments: `reason` ")).toBe(true);
    });

    it("refuses an answer too similar to an existing one and says to vote instead", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      const copy = "Beta says: list the risks first, and remove the largest!";
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("new_answer", { content: copy })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: "Your answer is too similar to answer B (similarity 1.00, the limit is 0.9). Vote for the best answer instead.",
      });
    });

    it("asks for something new when a too-similar answer cannot be replaced by a vote", () => {
      const turn = { phase: "voting" as const, rules: votingRules({ voteLabels: [], novelty: 0.5 }) };
      const near = "alpha says start from the smallest change that works today";
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("new_answer", { content: near })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: "Your answer is too similar to answer A (similarity 0.90, the limit is 0.5). Post an answer that adds something new.",
      });
    });

    it("accepts a new answer that differs enough from every existing one", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      const fresh = "delta says measure first, then cache the hottest reads";
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("new_answer", { content: fresh })] }))).toMatchObject({ kind: "answer", content: fresh });
    });

    it("refuses new_answer when the agent has no answers left, and says to vote", () => {
      const turn = { phase: "voting" as const, rules: votingRules({ canAnswer: false }) };
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("new_answer", { content: "one more idea" })] }))).toEqual({
        kind: "invalid",
        toolCallId: "call_1",
        message: "`new_answer` is not a tool you can call now. Call `vote`.",
      });
    });

    it("names both tools when it replied with text and may either answer or vote", () => {
      const turn = { phase: "voting" as const, rules: votingRules() };
      expect(checkTurn(turn, completion({ text: "I pick B." }))).toEqual({
        kind: "invalid",
        message: "You replied without calling a tool. Call `new_answer` or `vote`.",
      });
    });
  });

  describe("in presentation", () => {
    const turn = { phase: "presentation" as const, rules: rules({ canAnswer: false }) };

    it("accepts plain text as the final answer, trimmed", () => {
      expect(checkTurn(turn, completion({ text: "\n  The final answer.  \n" }))).toEqual({ kind: "present", content: "The final answer." });
    });

    it("accepts a new_answer call as the final answer", () => {
      expect(checkTurn(turn, completion({ toolCalls: [toolCall("new_answer", { content: "Final", data: { ok: true } })] }))).toEqual({
        kind: "present",
        content: "Final",
        data: { ok: true },
      });
    });

    it("asks for plain text when the reply is empty", () => {
      expect(checkTurn(turn, completion({ text: "   " }))).toEqual({ kind: "invalid", message: "Reply with the final answer as plain text." });
    });

    // Known bug: a final answer cut off at max_tokens is taken as the finished final answer (see report).
    it("reports a final answer cut off at max_tokens as truncated, not as presented", () => {
      expect(checkTurn(turn, completion({ text: "The final answer is", stopReason: "max_tokens" }))).toEqual({
        kind: "stopped",
        reason: "truncated",
        message: "the reply was cut off at max_tokens",
      });
    });

    it("reports an empty reply cut off at max_tokens as truncated", () => {
      expect(checkTurn(turn, completion({ stopReason: "max_tokens" }))).toMatchObject({ kind: "stopped", reason: "truncated" });
    });
  });
});
