import type { ChatMessage, ToolSpec, TurnHints } from "../models/model.ts";
import { coordinationTools } from "./coordination-tools.ts";
import { currentAnswers, type RunContext } from "./run-context.ts";

/** What one agent is asked in one round: the prompt, the tools, and the rules its reply is checked against. */
export interface AgentTurn {
  agentId: string;
  round: number;
  phase: "generation" | "voting" | "presentation";
  system: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  rules: TurnRules;
  hints: TurnHints;
  callTimeoutMs: number;
}

export interface TurnRules {
  canAnswer: boolean;
  /** Labels this agent may vote for; empty when it may not vote. */
  voteLabels: string[];
  ownLabel: string;
  requireReason: boolean;
  novelty: number;
  /** The version each label showed when the round began: a vote is for what the voter saw. */
  versions: Record<string, string>;
  /** Answers a new answer must differ from (novelty). */
  existing: { label: string; version: string; content: string }[];
}

const DEFAULT_SYSTEM = "You are a careful, capable expert. You give complete, correct and concrete answers.";

const PROTOCOL = `You are one of several agents working on the same task. Each agent answers on its own; then every agent sees all the answers, labelled A, B, C… without names, and votes for the best one or posts a better answer. The answer with the most votes wins, and its author writes the final answer.
Reply by calling exactly one of the tools you are given.`;

/**
 * Builds an agent's turn. The stable part comes first (system, then task and context, the
 * same in every round, so providers can cache it); what changes from round to round comes last.
 */
export function buildTurn(context: RunContext, agentId: string, phase: AgentTurn["phase"]): AgentTurn {
  const agent = context.agents.find((a) => a.id === agentId)!;
  const state = context.agentStates[agentId]!;
  const { settings } = context;
  const answers = currentAnswers(context);
  const shown = answers.map((a) => ({ label: a.label, content: a.content }));
  const planning = settings.planning ? `\n${PLANNING}` : "";
  const system = `${agent.system?.trim() || DEFAULT_SYSTEM}\n\n${phase === "presentation" ? PRESENTER : PROTOCOL}${planning}`;
  const stable: ChatMessage = { role: "user", content: taskBlock(context) };

  let canAnswer = false;
  let voteLabels: string[] = [];
  let instructions: string;
  if (phase === "generation") {
    canAnswer = true;
    instructions = "Write your answer to the task and post it with the `new_answer` tool.";
  } else if (phase === "voting") {
    canAnswer = settings.refinement && state.answerCount < settings.maxAnswersPerAgent;
    voteLabels = votableLabels(context, agent.label);
    instructions = votingInstructions(context, agent.label, canAnswer, voteLabels);
  } else {
    instructions = presentationInstructions(context, agent.label);
  }

  return {
    agentId,
    round: context.round,
    phase,
    system,
    messages: [stable, { role: "user", content: instructions }],
    tools:
      phase === "presentation"
        ? []
        : coordinationTools({ newAnswer: canAnswer, vote: voteLabels.length > 0, ...(settings.dataSchema && { dataSchema: settings.dataSchema }) }),
    rules: {
      canAnswer,
      voteLabels,
      ownLabel: agent.label,
      requireReason: settings.voting === "strict",
      novelty: settings.novelty,
      versions: Object.fromEntries(answers.map((a) => [a.label, a.version])),
      existing: phase === "voting" ? context.answers.map((a) => ({ label: a.label, version: a.version, content: a.content })) : [],
    },
    hints: { agentId, phase, round: context.round, task: context.task, ownLabel: agent.label, answers: shown, ...(context.files && { files: context.files }) },
    callTimeoutMs: settings.timeouts.call,
  };
}

/** Labels an agent may vote for: every answered label, less its own unless the voting rule allows it. */
export function votableLabels(context: RunContext, ownLabel: string): string[] {
  const labels = currentAnswers(context).map((a) => a.label);
  const { voting } = context.settings;
  if (voting === "lenient") return labels;
  const others = labels.filter((l) => l !== ownLabel);
  // balanced: a lone agent may vote for its own answer, since there is nothing else to choose.
  return voting === "balanced" && others.length === 0 ? labels : others;
}

const PLANNING = "This is a planning run: write the plan, not the work itself. Nothing is written and no command is run.";

const PRESENTER = `You wrote the answer the other agents chose. Now write the final answer to the task.
Reply with the final answer itself, as plain text, with no preamble.`;

function taskBlock(context: RunContext): string {
  const parts = [`# Task\n\n${context.task.trim()}`];
  if (context.context?.trim()) parts.push(`# Context\n\n${context.context.trim()}`);
  return parts.join("\n\n");
}

function answersBlock(context: RunContext, ownLabel: string): string {
  const answers = currentAnswers(context);
  if (answers.length === 0) return "# Answers so far\n\n(none yet)";
  return `# Answers so far\n\n${answers
    .map((a) => `## Answer ${a.label}${a.label === ownLabel ? " (yours)" : ""}\n\n${a.content.trim()}`)
    .join("\n\n")}`;
}

function votingInstructions(context: RunContext, ownLabel: string, canAnswer: boolean, voteLabels: string[]): string {
  const lines = [answersBlock(context, ownLabel), "", "# What to do", ""];
  if (voteLabels.length > 0) {
    lines.push(`Vote for the best answer with the \`vote\` tool: its label (one of ${voteLabels.join(", ")}) and a short reason.`);
    if (!voteLabels.includes(ownLabel)) lines.push(`You may not vote for your own answer (${ownLabel}).`);
  }
  if (canAnswer) {
    lines.push(
      "If you can write a clearly better answer than all of these, post it with the `new_answer` tool instead. It must add something new; a near-copy of an existing answer is refused.",
    );
  }
  if (context.settings.voting === "strict") lines.push("Every vote needs a reason.");
  return lines.join("\n");
}

function presentationInstructions(context: RunContext, ownLabel: string): string {
  const votes = context.votes.filter((v) => context.agentStates[v.voter]?.vote === v.target && v.reason.trim());
  const reasons = votes.length ? votes.map((v) => `- for ${v.label}: ${v.reason.trim()}`).join("\n") : "(no reasons given)";
  return [
    answersBlock(context, ownLabel),
    "",
    `# Votes\n\nYour answer (${ownLabel}) won: ${context.winnerReason ?? "chosen"}. The voters' reasons:\n${reasons}`,
    "",
    "Write the final answer to the task: your answer, improved with the strongest points of the others and the voters' reasons.",
  ].join("\n");
}
