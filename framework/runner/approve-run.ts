import { ConfigError } from "../errors.ts";
import { describeRun } from "../runs/run-card.ts";
import type { RunOptions } from "../runs/run-options.ts";
import { askApproval } from "./approval.ts";

/** How a run above `approval.above_usd` (or every run, with --confirm) is approved: by `conclave ask` and by workflow steps. */
export interface ApproveRunOptions {
  /** The config's `approval.above_usd`; undefined: no run needs approval (unless `confirm`). */
  aboveUsd: number | undefined;
  /** --confirm: every run is asked about, whatever its estimate. */
  confirm?: boolean;
  /** The run as messages name it, e.g. "the run" or a workflow step's label (default "the run"). */
  label?: string;
  /** The title over the run card (default `label`). */
  title?: string;
  /** Approved beforehand: `--yes`, or automation mode. */
  approvedBy?: "--yes" | "automation mode";
  /** Where the question goes and who answers; without a TTY nobody can. */
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream | { write(s: string): unknown };
  /** Says the one-line "Approved (…)" notice (default: written to `stderr`). */
  say?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Approves one run: when its estimate is above `approval.above_usd` (or unknown), or always with
 * `confirm`, the run card and Approve / Edit agents / Cancel at the terminal; `--yes` and
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
  const label = how.label ?? "the run";
  if (above === undefined && !how.confirm) return { action: "run", options };
  const card = describeRun(options as RunOptions<unknown>);
  if (!how.confirm && card.estimate.usd !== null && card.estimate.usd <= above!) return { action: "run", options };
  const money = card.estimate.usd === null ? "cost unknown" : `$${card.estimate.usd.toFixed(4)}`;
  if (how.approvedBy) {
    const line = `Approved (${how.approvedBy}): ${label}, estimate ${money}.`;
    if (how.say) how.say(line);
    else how.stderr.write(`${line}\n`);
    return { action: "run", options };
  }
  if (!how.stdin.isTTY) {
    throw new ConfigError(`${label} needs approval (estimate ${money}${how.confirm ? ", --confirm" : `, above approval.above_usd $${above}`}): run it in a terminal, or pass --yes.`);
  }
  const decision = await askApproval(card, how.title ?? label, how.stdin, how.stderr as NodeJS.WriteStream, how.signal);
  if (decision.action === "edit") return { action: "run", options: { ...options, agents: decision.agents } };
  return decision.action === "approve" ? { action: "run", options } : decision;
}
