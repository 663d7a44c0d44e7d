import { ConfigError } from "../errors.ts";
import { describeRun } from "../runs/run-card.ts";
import type { RunOptions } from "../runs/run-options.ts";
import { askApproval } from "./approval.ts";

/** How `conclave ask` may approve a run above `approval.above_usd`. */
export interface ApproveRunOptions {
  /** The config's `approval.above_usd`; undefined: no run needs approval. */
  aboveUsd: number | undefined;
  /** Approved beforehand: `--yes`, or automation mode. */
  approvedBy?: "--yes" | "automation mode";
  /** Where the question goes and who answers; without a TTY nobody can. */
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream | { write(s: string): unknown };
  signal?: AbortSignal;
}

/**
 * Approves one run as workflows do: when its estimate is above `approval.above_usd` (or
 * unknown), the run card and Approve / Edit agents / Cancel at the terminal; `--yes` and
 * automation mode approve and say so in one line; with no terminal it is a ConfigError that
 * says to pass --yes. Returns the options to run (with the agents chosen), or why not.
 *
 * @example
 * const approval = await approveRun({ task, config }, { aboveUsd: 0.5, stdin: process.stdin, stderr: process.stderr });
 * if (approval.action === "run") await run(approval.options);
 */
export async function approveRun<T>(
  options: RunOptions<T>,
  how: ApproveRunOptions,
): Promise<{ action: "run"; options: RunOptions<T> } | { action: "cancel" } | { action: "interrupt" }> {
  const above = how.aboveUsd;
  if (above === undefined) return { action: "run", options };
  const card = describeRun(options as RunOptions<unknown>);
  if (card.estimate.usd !== null && card.estimate.usd <= above) return { action: "run", options };
  const money = card.estimate.usd === null ? "cost unknown" : `$${card.estimate.usd.toFixed(4)}`;
  if (how.approvedBy) {
    how.stderr.write(`Approved (${how.approvedBy}): the run, estimate ${money}.\n`);
    return { action: "run", options };
  }
  if (!how.stdin.isTTY) {
    throw new ConfigError(`the run needs approval (estimate ${money}, above approval.above_usd $${above}): run it in a terminal, or pass --yes.`);
  }
  const decision = await askApproval(card, `ask: ${card.task.split("\n")[0]!.slice(0, 60)}`, how.stdin, how.stderr as NodeJS.WriteStream, how.signal);
  if (decision.action === "edit") return { action: "run", options: { ...options, agents: decision.agents } };
  return decision.action === "approve" ? { action: "run", options } : decision;
}
