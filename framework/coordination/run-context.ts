// The run machine's context and events: plain JSON, so a snapshot can be saved, diffed and restored.

export type RunStatus = "completed" | "timeout" | "failed" | "interrupted" | "cancelled" | "budget_exceeded";
export type AgentStatus =
  | "waiting"
  | "working"
  | "answered"
  | "voted"
  | "timed_out"
  | "failed"
  | "presenting"
  | "presented"
  /** Its turn was cut short because the run was interrupted, cancelled or over budget. */
  | "stopped";
export type Phase = "planning" | "generation" | "voting" | "presentation" | "finalization";

export interface RunSettings {
  mode: "single" | "multi";
  maxRounds: number;
  refinement: boolean;
  voting: "lenient" | "balanced" | "strict";
  novelty: number;
  maxAnswersPerAgent: number;
  presentation: boolean;
  /** Milliseconds. */
  timeouts: { run: number; generation: number; voting: number; presentation: number; call: number; idle: number };
  budgetUsd?: number;
  /** A plan-only run: the agents are told to plan, not to do the work. */
  planning?: boolean;
  /** The JSON Schema of the structured output (`new_answer`'s `data`), when the run asks for one. */
  dataSchema?: Record<string, unknown>;
  /** Retries of a failed model call; delays in ms. */
  retry: { retries: number; baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };
}

export interface RunAgent {
  id: string;
  system?: string;
  label: string;
}

export interface Answer {
  /** `<agent_id>.<k>`, k counting from 1 per agent. */
  version: string;
  agentId: string;
  label: string;
  k: number;
  round: number;
  at: number;
  content: string;
  data?: unknown;
}

export interface Vote {
  voter: string;
  /** The voter's k-th vote. */
  k: number;
  round: number;
  at: number;
  label: string;
  /** The answer version voted for. */
  target: string;
  reason: string;
}

export interface TokenCount {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
}

export interface AgentState {
  status: AgentStatus;
  answerCount: number;
  voteCount: number;
  latestAnswer?: string;
  /** The version this agent currently votes for; cleared when it posts a new answer. */
  vote?: string;
  error?: string;
  errorKind?: string;
  /** Out for the rest of the run (a failure no retry can fix, such as auth). */
  out: boolean;
  tokens: TokenCount;
  costUsd: number | null;
  llmCalls: number;
  retries: number;
  /** Voting rounds after the first that the agent took part in (new answers made it go again); 0 when it voted once. */
  timesRestarted: number;
}

export interface RunUsage extends TokenCount {
  cost_usd: number | null;
  llm_calls: number;
}

export interface RunInput {
  runId: string;
  task: string;
  context?: string;
  /** The project files the context shows, relative to the project (the scripted backend words its sample data from them). */
  files?: string[];
  agents: { id: string; system?: string }[];
  settings: RunSettings;
}

export interface RunContext {
  runId: string;
  task: string;
  context?: string;
  files?: string[];
  settings: RunSettings;
  agents: RunAgent[];
  startedAt: number;
  runDeadline: number;
  phaseDeadline: number;
  round: number;
  /** Agents whose turn in this round has not ended. */
  pending: string[];
  /** Agents that took part in this round (their actors are stopped when it ends). */
  participants: string[];
  roundNewAnswers: number;
  roundVotes: number;
  phaseExpired: boolean;
  /** Which kind of turn the current participants are playing. */
  turnPhase: "generation" | "voting" | "presentation";
  answers: Answer[];
  votes: Vote[];
  agentStates: Record<string, AgentState>;
  usage: RunUsage;
  status?: RunStatus;
  statusReason?: string;
  winner?: string;
  winnerVersion?: string;
  winnerReason?: string;
  voteCounts: Record<string, number>;
  finalAnswer?: string;
  finalData?: unknown;
  presented: boolean;
  finalSettled: boolean;
  error?: string;
}

export type RunEvent =
  | { type: "run.agent.answered"; agentId: string; round: number; at: number; content: string; data?: unknown }
  | { type: "run.agent.voted"; agentId: string; round: number; at: number; label: string; target: string; reason: string }
  | { type: "run.agent.presented"; agentId: string; round: number; at: number; content: string; data?: unknown }
  | { type: "run.agent.failed"; agentId: string; round: number; at: number; error: string; kind: string; retryable: boolean }
  | { type: "run.agent.usage"; agentId: string; round: number; at: number; usage: TokenCount; cost_usd: number | null; model: string }
  | { type: "run.agent.retry"; agentId: string; round: number; at: number; attempt: number; delay_ms: number; error: string }
  | { type: "run.agent.tool_call"; agentId: string; round: number; at: number; name: string; ok: boolean; error?: string }
  /** Notes from the person (numbered from 1 in the order told) that reached this agent's prompt at the start of this turn. */
  | { type: "run.agent.note"; agentId: string; round: number; at: number; phase: "generation" | "voting" | "presentation"; notes: number[] }
  | { type: "run.cancel"; status: "interrupted" | "cancelled"; reason?: string };

/** `A`…`Z`, then `A2`…`Z2`, and so on: anonymous, stable labels for agents in config order. */
export function labelFor(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  const lap = Math.floor(index / 26);
  return lap === 0 ? letter : `${letter}${lap + 1}`;
}

/** Each agent's current (latest) answer, in agent order. */
export function currentAnswers(context: Pick<RunContext, "agents" | "agentStates" | "answers">): Answer[] {
  const out: Answer[] = [];
  for (const agent of context.agents) {
    const version = context.agentStates[agent.id]?.latestAnswer;
    const answer = version ? context.answers.find((a) => a.version === version) : undefined;
    if (answer) out.push(answer);
  }
  return out;
}
