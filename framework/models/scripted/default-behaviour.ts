import type { TurnHints } from "../model.ts";

// What a scripted agent says when its script has run out: plausible, varied by agent, deterministic.

const OPENINGS = [
  "Start from the smallest change that works, then widen it.",
  "List the risks first, then choose the approach that removes the largest one.",
  "Work backwards from how the result will be checked.",
  "Split the problem into independent parts and settle each on its own.",
  "Reuse what already exists before building anything new.",
  "Make the failure cases explicit before the happy path.",
];

const POINTS = [
  "State the goal in one sentence and keep it visible.",
  "Name the inputs, the outputs and who relies on them.",
  "Write the check that proves it works before the work itself.",
  "Keep each step small enough to review in a few minutes.",
  "Record every assumption so a reviewer can challenge it.",
  "Measure the result against the goal, not against effort spent.",
  "Leave the system in a working state after every step.",
  "Prefer plain, boring tools that the team already knows.",
];

/** A deterministic answer to `task` in `agentId`'s own voice; it names the project files the run was shown, if any. */
export function defaultAnswer(task: string, agentId: string, files: string[] = []): string {
  const h = hash(`${agentId}\n${task}`);
  const title = task.split("\n")[0]!.trim().slice(0, 100);
  const count = 2 + (h % 3);
  const points: string[] = [];
  for (let i = 0; points.length < count; i++) {
    const p = POINTS[(h + i * 3) % POINTS.length]!;
    if (!points.includes(p)) points.push(p);
  }
  const shown = files.length ? ["", `This rests on what the project shows: ${files.map((f) => `\`${f}\``).join(", ")}.`] : [];
  return [`## ${title}`, "", OPENINGS[h % OPENINGS.length]!, ...shown, "", ...points.map((p, i) => `${i + 1}. ${p}`), "", `— ${agentId}`].join("\n");
}

/** Votes for the longest answer that is not the agent's own (earliest label on a tie). */
export function defaultVote(hints: TurnHints): { answer: string; reason: string } | undefined {
  const others = hints.answers.filter((a) => a.label !== hints.ownLabel);
  const pool = others.length > 0 ? others : hints.answers;
  let best = pool[0];
  for (const a of pool) if (best && words(a.content) > words(best.content)) best = a;
  if (!best) return undefined;
  return { answer: best.label, reason: `Answer ${best.label} is the most complete (${words(best.content)} words).` };
}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

// FNV-1a, 32 bits: a stable hash that does not depend on Node's crypto.
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
