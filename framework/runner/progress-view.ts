import type { JournalEvent } from "../runs/run-directory.ts";
import type { RunResult } from "../runs/run-result.ts";
import type { StatusJson } from "../runs/status-json.ts";
import { conflictLines } from "./conflict-lines.ts";

/** Where the view writes: process.stderr, or anything with `write` (its size, when it has one, is the terminal's). */
export interface ProgressViewStream {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
}

export interface ProgressViewOptions {
  stream: ProgressViewStream;
  /** Redraw in place (a terminal: log-update, which also follows resizes); otherwise print plain lines on changes. */
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

// log-update (with its dependencies, about 90 KB) draws the terminal block; off a terminal nothing loads it.
let logUpdate: typeof import("log-update") | undefined;

/**
 * Loads what the terminal view draws with: await it before `createProgressView({ tty: true })` (or a session
 * renderer on a terminal). Plain output needs nothing loaded, so a piped or automated start never pays for it.
 *
 * @example
 * if (process.stderr.isTTY) await loadTerminalView();
 * const view = createProgressView({ stream: process.stderr, tty: Boolean(process.stderr.isTTY), color: true });
 */
export async function loadTerminalView(): Promise<void> {
  logUpdate ??= await import("log-update");
}

/** The view of one run, as createProgressView() returns it. */
export type ProgressView = ReturnType<typeof createProgressView>;

/**
 * The human view of a run: on a terminal, a block of lines (the run, then one per agent) redrawn
 * in place; elsewhere, one plain line per change, with no escape codes. Anything else written to
 * the same terminal while the block is up goes through `print()`, which writes it above the block,
 * so no stale copy of the block is ever left on screen.
 *
 * @example
 * const view = createProgressView({ stream: process.stderr, tty: true, color: !process.env.NO_COLOR });
 * await run({ task, onStatus: view.update, onNotice: view.print });
 */
export function createProgressView(options: ProgressViewOptions) {
  const throttle = options.throttleMs ?? 80;
  const { stream } = options;
  const paint = (code: string | undefined, text: string) => (options.color && code ? `\x1b[${code}m${text}\x1b[0m` : text);
  // A terminal that reports no size (a pseudo-terminal nobody sized) counts as 80×24, so the block is still drawn.
  const sized = { write: (text: string) => stream.write(text), isTTY: true, get columns() { return stream.columns || 80; }, get rows() { return stream.rows || 24; } };
  // The cursor stays visible (log-update would otherwise hide it and restore it from an exit hook).
  if (options.tty && !logUpdate) throw new Error("createProgressView({ tty: true }) before loadTerminalView() resolved: await loadTerminalView() first.");
  const block = options.tty ? logUpdate!.createLogUpdate(sized as unknown as NodeJS.WriteStream, { showCursor: true }) : undefined;
  let shown = false;
  let finished = false;
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
    clearTimeout(timer);
    timer = undefined;
    if (!block || !latest || paused || finished) return;
    lastDraw = Date.now();
    block(render(latest).join("\n"));
    shown = true;
  };

  // Takes the block off the screen (the cursor ends where its first line was).
  const erase = () => {
    clearTimeout(timer);
    timer = undefined;
    if (block && shown) block.clear();
    shown = false;
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
      if (!options.tty || finished) return;
      latest = status;
      const wait = throttle - (Date.now() - lastDraw);
      if (wait <= 0) draw();
      else timer ??= setTimeout(draw, wait);
    },
    /** Stops redrawing while a question is on screen; the block is drawn afresh below it on resume. */
    pause() {
      paused = true;
      // Erase the block, so the question has the screen and the block is not left behind twice.
      erase();
    },
    resume() {
      paused = false;
    },
    /**
     * A line (or lines) of text on the same terminal: written above the block, which is drawn
     * again below it. A notice, Ctrl+C's "Interrupted…", a watch-mode "Changed: …" go here.
     */
    print(text: string) {
      const wasShown = shown;
      erase();
      stream.write(`${text}\n`);
      if (wasShown) draw();
    },
    /** A journal event: one plain line when it is worth one, off a terminal. */
    event(e: JournalEvent) {
      if (options.tty) return;
      const line = plain(e);
      if (line) stream.write(`${line}\n`);
    },
    /** The last state of the block stays on screen and the view stops, printing nothing under it (the caller says how the run ended). */
    done() {
      if (block && !finished) {
        paused = false;
        draw();
        block.done();
      }
      finished = true;
      shown = false;
    },
    /** The last state of the block stays on screen, and the run's outcome is printed under it. */
    finish(result: RunResult) {
      if (block) {
        paused = false;
        draw();
        block.done();
      }
      finished = true;
      shown = false;
      // "Run cancelled: CONTEXT.md changed." when the reason says more than the status.
      const reason = result.status_reason;
      const said = result.status !== "completed" && reason?.startsWith(`${result.status}`) ? reason : result.status;
      const tail = result.winner ? `Winner: ${result.winner} (${result.winner_reason})` : said === reason ? "No winner." : `No winner: ${reason ?? result.status}`;
      stream.write(`${paint(result.status === "completed" ? "32" : "31", `Run ${said}.`)} ${tail}\nRun directory: ${result.log_dir}\n`);
      for (const line of conflictLines(result)) stream.write(`${paint("33", line)}\n`);
    },
  };
}
