import type { ChatMessage } from "../model.ts";

// What the offline orchestrator reads of a conversation: who said what, which tools were called with
// what results, the plan and how far it got. Plain parsing of the request; nothing else is consulted.

/** One tool call of the orchestrator and the result the engine sent back (undefined while none came). */
export interface ToolStep {
  name: string;
  args: Record<string, unknown>;
  result: string | undefined;
}

/** A person's message and what the orchestrator did about it. */
export interface Exchange {
  /** The person's message ("" when the messages start mid-turn, after a compaction). */
  person: string;
  steps: ToolStep[];
  /** The orchestrator's last text reply of the exchange. */
  reply?: string;
}

/** The messages as exchanges, oldest first: each user message opens one. */
export function readConversation(messages: ChatMessage[]): Exchange[] {
  const exchanges: Exchange[] = [];
  const byId = new Map<string, ToolStep>();
  const current = () => exchanges.at(-1) ?? (exchanges.push({ person: "", steps: [] }), exchanges.at(-1)!);
  for (const m of messages) {
    if (m.role === "user") exchanges.push({ person: m.content, steps: [] });
    else if (m.role === "assistant") {
      const exchange = current();
      for (const call of m.toolCalls ?? []) {
        const step: ToolStep = { name: call.name, args: isRecord(call.arguments) ? call.arguments : {}, result: undefined };
        byId.set(call.id, step);
        exchange.steps.push(step);
      }
      if (m.content.trim() && !m.toolCalls?.length) exchange.reply = m.content;
    } else {
      const step = byId.get(m.toolCallId);
      if (step) step.result = m.content;
    }
  }
  return exchanges;
}

/** A launch_run's result as the engine returns it: the run's JSON, or the error text (`Error: …`). */
export interface LaunchOutcome {
  args: Record<string, unknown>;
  task: string;
  error?: string;
  run?: { run_id: string; status: string; status_reason?: string; winner?: string | null; winner_reason?: string | null; answer?: string | null; files_changed?: string[]; elapsed_seconds?: number };
}

/** Every launch_run with a result, oldest first. */
export function launchesOf(exchanges: Exchange[]): LaunchOutcome[] {
  return exchanges.flatMap((e) => e.steps.filter((s) => s.name === "launch_run" && s.result !== undefined).map(launchOutcome));
}

/** A launch_run step read: its task, and its run or its error. */
export function launchOutcome(step: ToolStep): LaunchOutcome {
  const task = typeof step.args.task === "string" ? step.args.task : "";
  const parsed = parseJson(step.result ?? "");
  if (isRecord(parsed) && typeof parsed.run_id === "string") return { args: step.args, task, run: parsed as LaunchOutcome["run"] };
  return { args: step.args, task, error: (step.result ?? "").replace(/^Error:\s*/, "") };
}

/** The numbered steps of a plan (`1. …`, `2) …`): the first run of lines numbered 1, 2, 3…, without markdown emphasis or a closing period. */
export function planSteps(text: string): string[] {
  const steps: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)[.)]\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const n = Number(m[1]);
    const title = m[2]!.replace(/\*\*|__/g, "").replace(/[.:;]+$/, "").trim();
    if (n === steps.length + 1) steps.push(title);
    else if (n === 1 && steps.length > 0) break;
  }
  return steps;
}

/** What the conversation's runs did with the plan: the latest plan, and which of its steps were executed and verified. */
export interface PlanProgress {
  steps: string[];
  executed: Set<number>;
  verified: Set<number>;
}

// The task forms the policy launches with, so it can read its own progress back from the history.
export const STEP_TASK = /^Step (\d+) of \d+: /;
export const REMAINING_TASK = /^Carry out the remaining steps of the plan/;
export const VERIFY_TASK = /^Verify that step (\d+) /;

/** The latest completed planning run's steps, and the steps completed runs executed and verified since. */
export function planProgress(launches: LaunchOutcome[]): PlanProgress | undefined {
  let progress: PlanProgress | undefined;
  for (const l of launches) {
    if (l.run?.status !== "completed") continue;
    if (l.args.planning_mode === true) {
      const steps = planSteps(l.run.answer ?? "");
      if (steps.length) progress = { steps, executed: new Set(), verified: new Set() };
      continue;
    }
    if (!progress) continue;
    const step = STEP_TASK.exec(l.task);
    const verify = VERIFY_TASK.exec(l.task);
    if (step) progress.executed.add(Number(step[1]));
    else if (verify) progress.verified.add(Number(verify[1]));
    else if (REMAINING_TASK.test(l.task)) for (const m of l.task.matchAll(/^(\d+)\. /gm)) progress.executed.add(Number(m[1]));
  }
  return progress;
}

/** The text under the first heading of `system` whose title starts with `title` (any level), up to the next heading of that level or higher. */
export function section(system: string, title: string): string | undefined {
  const lines = system.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^#{1,6}\\s*${title}`, "i").test(l));
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+\s/.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n").trim();
}

/** The runs the system's `# Runs of this session` digest lists (`- <id> [status] … task`), oldest first. */
export function digestRuns(system: string): { run_id: string; status: string; task: string }[] {
  const digest = section(system, "Runs of this session") ?? "";
  return [...digest.matchAll(/^- (\S+) \[([\w-]+)\](?: \([^)]*\))? (.*?)(?: — winner .*)?$/gm)].map((m) => ({ run_id: m[1]!, status: m[2]!, task: m[3]! }));
}

/** The first line of `text`, clipped to `max` characters. */
export function firstLine(text: string, max = 100): string {
  // A Markdown heading is a title, not what was said: the first line of text after it, when there is one.
  const lines = text.trim().split("\n").map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => !l.startsWith("#")) ?? lines[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
