import { createInterface } from "node:readline/promises";
import type { RunCard } from "../runs/run-card.ts";
import { backendAndModel } from "../models/backend-and-model.ts";
import { displayPath } from "../project/display-path.ts";

export type ApprovalDecision = { action: "approve" } | { action: "edit"; agents: string[] } | { action: "cancel" } | { action: "interrupt" };

// readline rejects a pending question on Ctrl+C or Ctrl+D: Ctrl+C interrupts, Ctrl+D (end of input) cancels; a
// stop request (SIGTERM, SIGHUP, the launcher gone) aborts `signal` and counts as Ctrl+C.
async function asked(rl: ReturnType<typeof createInterface>, question: string, signal?: AbortSignal): Promise<string | "ctrl-c" | "ctrl-d"> {
  try {
    return await rl.question(question, signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted || /Ctrl\+C/.test((error as Error).message)) return "ctrl-c";
    if (/Ctrl\+D/.test((error as Error).message)) return "ctrl-d";
    throw error;
  }
}

/** The run card as plain lines: task, agents, mode, files it may write, the estimate. */
export function formatRunCard(card: RunCard, title: string): string {
  const usd = card.estimate.usd === null ? "cost unknown (a model has no price)" : `$${card.estimate.usd.toFixed(4)}`;
  return [
    `Run ${title}`,
    `  task       ${card.task.split("\n")[0]!.slice(0, 100)}`,
    `  agents     ${card.agents.map((a) => `${a.id} (${backendAndModel(a.backend, a.model)})`).join(", ")}`,
    `  mode       ${card.mode === "single" ? "single agent" : `${card.agents.length} agents, up to ${card.maxRounds} rounds`}`,
    `  may write  ${card.writes.length ? card.writes.join(", ") : "nothing"}`,
    `  estimate   ~${Math.round(card.estimate.tokens / 100) / 10}k tokens, ${usd}`,
  ].join("\n");
}

/**
 * Shows the run card at the terminal and asks: Approve, Edit agents, or Cancel. Editing asks
 * for the agents to keep (from the card's) and then approves. Ctrl+C, or `signal` aborted
 * (SIGTERM, SIGHUP, the launcher gone), interrupts.
 *
 * @example
 * const decision = await askApproval(card, "2. execute: Add caching");
 * if (decision.action === "cancel") return;
 */
export async function askApproval(
  card: RunCard,
  title: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
  signal?: AbortSignal,
): Promise<ApprovalDecision> {
  const rl = createInterface({ input, output });
  try {
    return await askApprovalWith(rl, card, title, output, signal);
  } finally {
    rl.close();
  }
}

/**
 * askApproval() on a readline interface the caller keeps open (the chat REPL's own, so that no
 * second interface reads the same keys): the card on `output`, the questions through `rl`.
 *
 * @example
 * const decision = await askApprovalWith(rl, card, "chat: Add caching", process.stdout);
 */
export async function askApprovalWith(
  rl: ReturnType<typeof createInterface>,
  card: RunCard,
  title: string,
  output: { write(s: string): unknown },
  signal?: AbortSignal,
): Promise<ApprovalDecision> {
  output.write(`\n${formatRunCard(card, title)}\n`);
  for (let tries = 0; tries < 10; tries++) {
    const reply = await asked(rl, "Approve [a], edit agents [e], or cancel [c]? ", signal);
    if (reply === "ctrl-c") return { action: "interrupt" };
    if (reply === "ctrl-d") return { action: "cancel" };
    const answer = reply.trim().toLowerCase();
    if (answer === "a" || answer === "approve" || answer === "y" || answer === "yes") return { action: "approve" };
    if (answer === "c" || answer === "cancel" || answer === "n" || answer === "no") return { action: "cancel" };
    if (answer === "e" || answer === "edit") {
      const ids = card.agents.map((a) => a.id);
      for (let again = 0; again < 10; again++) {
        const reply = await asked(rl, `Agents to run, comma-separated (${ids.join(", ")}): `, signal);
        if (reply === "ctrl-c") return { action: "interrupt" };
        if (reply === "ctrl-d") return { action: "cancel" };
        const picked = reply.split(",").map((s) => s.trim()).filter(Boolean);
        const unknown = picked.filter((id) => !ids.includes(id));
        if (picked.length && unknown.length === 0) return { action: "edit", agents: picked };
        output.write(unknown.length ? `Unknown agent ${unknown.join(", ")}: choose from ${ids.join(", ")}.\n` : "Name at least one agent.\n");
      }
      return { action: "cancel" };
    }
    output.write("Type a, e or c.\n");
  }
  return { action: "cancel" };
}

/** Asks whether to write the winner's changes back; anything but no approves. No, Ctrl+C, Ctrl+D or `signal` aborted keeps them in the patch only, and says where it is. */
export async function askWriteBack(
  files: string[],
  patchPath: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
  signal?: AbortSignal,
): Promise<boolean> {
  const rl = createInterface({ input, output });
  try {
    output.write(`\nThe winner changed ${files.length} file${files.length === 1 ? "" : "s"}: ${files.slice(0, 8).join(", ")}${files.length > 8 ? ", …" : ""}\nThe patch: ${patchPath}\n`);
    const reply = await asked(rl, "Write the changes back? [Y/n] ", signal);
    const answer = typeof reply === "string" ? reply.trim().toLowerCase() : "";
    const approved = reply !== "ctrl-c" && reply !== "ctrl-d" && !(answer === "n" || answer === "no");
    if (!approved) output.write(`Not written back: the changes are kept in ${displayPath(patchPath)}.\n`);
    return approved;
  } finally {
    rl.close();
  }
}
