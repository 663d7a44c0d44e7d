import type { JournalEvent } from "../runs/run-directory.ts";
import type { RunResult } from "../runs/run-result.ts";
import type { StatusJson } from "../runs/status-json.ts";
import { conflictLines } from "./conflict-lines.ts";

export interface ProgressViewOptions {
  write: (text: string) => void;
  /** Redraw in place with ANSI cursor moves (a terminal); otherwise print plain lines on changes. */
  tty: boolean;
  color: boolean;
  /** Milliseconds between redraws on a terminal. */
  throttleMs?: number;
}

const COLORS: Record<string, string> = {
  working: "33",
  presenting: "33",
  answered: "32",
  voted: "32",
  presented: "32",
  failed: "31",
  timed_out: "31",
};

/**
 * The human view of a run: on a terminal, a block of lines (the run, then one per agent) redrawn
 * in place; elsewhere, one plain line per change, with no escape codes.
 *
 * @example
 * const view = createProgressView({ write: (s) => process.stderr.write(s), tty: true, color: !process.env.NO_COLOR });
 * await run({ task, onStatus: view.update });
 */
export function createProgressView(options: ProgressViewOptions) {
  const throttle = options.throttleMs ?? 80;
  const paint = (code: string | undefined, text: string) => (options.color && code ? `\x1b[${code}m${text}\x1b[0m` : text);
  let drawn = 0;
  let lastDraw = 0;
  let latest: StatusJson | undefined;
  let timer: NodeJS.Timeout | undefined;
  let paused = false;

  const render = (s: StatusJson): string[] => {
    const c = s.coordination;
    const cost = s.usage.cost_usd === null ? "cost n/a" : `$${s.usage.cost_usd.toFixed(4)}`;
    const head = `conclave  ${c.phase}${c.round ? ` · round ${c.round}` : ""} · ${c.completion_percentage}% · ${s.meta.elapsed_seconds.toFixed(1)} s · ${s.usage.input_tokens + s.usage.output_tokens} tokens · ${cost}`;
    const width = Math.max(...Object.keys(s.agents).map((id) => id.length));
    const rows = Object.entries(s.agents).map(([id, a]) => {
      const what = a.vote ? `votes ${a.vote}` : a.latest_answer_label ? `answer ${a.latest_answer_label}` : "";
      const money = a.cost_usd === null ? "" : ` $${a.cost_usd.toFixed(4)}`;
      const err = a.error && (a.status === "failed" || a.status === "timed_out") ? `  ${a.error.slice(0, 80)}` : "";
      return `  ${id.padEnd(width)}  ${paint(COLORS[a.status], a.status.padEnd(10))} ${what.padEnd(18)} ${a.tokens.input + a.tokens.output} tokens${money}${err}`;
    });
    return [head, ...rows];
  };

  const draw = () => {
    timer = undefined;
    if (!latest || paused) return;
    lastDraw = Date.now();
    const lines = render(latest);
    const up = drawn > 0 ? `\x1b[${drawn}F` : "";
    options.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
    drawn = lines.length;
  };

  // Plain output follows the journal, so no change is lost between two status writes.
  const plain = (e: JournalEvent): string | undefined => {
    const at = `[${(e.t / 1000).toFixed(1)}s]`;
    const who = String(e.agentId ?? "");
    switch (e.type) {
      case "run.phase":
        return `${at} ${String(e.phase)}${e.phase === "voting" || e.phase === "generation" ? ` (round ${String(e.round)})` : ""}`;
      case "run.round":
        return `${at} voting (round ${String(e.round)})`;
      case "run.agent.answered":
        return `  ${who} answered`;
      case "run.agent.voted":
        return `  ${who} voted for ${String(e.label)} (${String(e.target)})`;
      case "run.agent.presented":
        return `  ${who} presented the final answer`;
      case "run.agent.failed":
        return `  ${who} failed: ${String(e.error)}`;
      case "run.agent.retry":
        return `  ${who} retry ${String(e.attempt)} in ${String(e.delay_ms)} ms: ${String(e.error)}`;
      case "run.deadline": {
        const late = e.timed_out as string[];
        return late.length ? `${at} ${String(e.deadline)} deadline: ${late.join(", ")} timed out` : undefined;
      }
      case "run.cancel":
        return `${at} ${String(e.status)}`;
      default:
        return undefined;
    }
  };

  return {
    /** A new status.json: redraws the block on a terminal. */
    update(status: StatusJson) {
      if (!options.tty) return;
      latest = status;
      const wait = throttle - (Date.now() - lastDraw);
      if (wait <= 0) draw();
      else timer ??= setTimeout(draw, wait);
    },
    /** Stops redrawing while a question is on screen; the block is drawn afresh below it on resume. */
    pause() {
      paused = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      // Erase the block, so the question has the screen and the block is not left behind twice.
      if (options.tty && drawn > 0) options.write(`\x1b[${drawn}F\x1b[0J`);
      drawn = 0;
    },
    resume() {
      paused = false;
    },
    /** A journal event: one plain line when it is worth one, off a terminal. */
    event(e: JournalEvent) {
      if (options.tty) return;
      const line = plain(e);
      if (line) options.write(`${line}\n`);
    },
    finish(result: RunResult) {
      if (timer) clearTimeout(timer);
      if (options.tty) draw();
      const tail = result.winner ? `Winner: ${result.winner} (${result.winner_reason})` : `No winner: ${result.status_reason ?? result.status}`;
      options.write(`${paint(result.status === "completed" ? "32" : "31", `Run ${result.status}.`)} ${tail}\nRun directory: ${result.log_dir}\n`);
      for (const line of conflictLines(result)) options.write(`${paint("33", line)}\n`);
    },
  };
}
