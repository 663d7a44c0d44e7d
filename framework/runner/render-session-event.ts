import type { LaunchRunArgs, LaunchRunResult } from "../runs/launch-run.ts";
import type { SessionEvent } from "../session/session-types.ts";
import { clip } from "./clip.ts";
import { formatSeconds } from "./format-seconds.ts";
import { formatUsd } from "./format-usd.ts";
import { createProgressView, type ProgressView, type ProgressViewStream } from "./progress-view.ts";

export interface SessionRendererOptions {
  /** Where the conversation goes (the REPL's stdout). */
  stream: ProgressViewStream;
  /** A terminal: streamed replies and a live progress block; otherwise one plain line per event. */
  tty: boolean;
  color: boolean;
  /** Milliseconds between progress redraws on a terminal. */
  throttleMs?: number;
}

/** The renderer of a session's events, as createSessionRenderer() returns it. */
export type SessionRenderer = ReturnType<typeof createSessionRenderer>;

/** `[run <id>] <mode> · <agents> · <task>`: how a launched run is announced. */
export function launchedLine(runId: string, task: string, args: LaunchRunArgs): string {
  const refine = args.refinement ?? args.agent_mode === "multi";
  const mode = args.planning_mode
    ? `planning${args.execute_after_planning ? " then execute" : ""}`
    : args.agent_mode === "single"
      ? "single agent"
      : refine
        ? "multi"
        : "multi, no refinement";
  const agents = args.agents?.length ? args.agents.join(", ") : args.agent_mode === "single" ? "the config's first agent" : "all agents";
  return `[run ${runId}] ${mode} · ${agents} · ${clip(task, 72)}`;
}

/** `[run <id>] <status> · winner <id> (<reason>) · $0.0123 · 3.2 s`: how a finished run is summed up. */
export function finishedLine(result: LaunchRunResult): string {
  const status = result.status === "completed" || !result.status_reason ? result.status : result.status_reason.startsWith(result.status) ? result.status_reason : `${result.status}: ${result.status_reason}`;
  const winner = result.winner ? `winner ${result.winner}${result.winner_reason ? ` (${result.winner_reason})` : ""}` : "no winner";
  const files = result.files_changed.length ? ` · ${result.files_changed.length} file${result.files_changed.length === 1 ? "" : "s"} changed` : "";
  return `[run ${result.run_id}] ${status} · ${winner}${files} · ${formatUsd(result.cost_usd)} · ${formatSeconds(result.elapsed_seconds)}`;
}

/**
 * Renders what a session says (SessionEvent) on the REPL's stream: the orchestrator's reply as
 * `conclave> …` (streamed on a terminal), a line per launched and finished run, the live
 * progress view while a run works (one block on screen at a time: the oldest running run's; the
 * others say only how they end), notes and compaction. Events that wait for a person
 * (`approval.request`, `query`) are the REPL's to ask; `print()` writes any other line above the
 * live block.
 *
 * @example
 * await loadTerminalView(); // on a terminal, before the first run's block is drawn
 * const renderer = createSessionRenderer({ stream: process.stdout, tty: true, color: true });
 * for await (const ev of session.send(line)) renderer.event(ev);
 */
export function createSessionRenderer(options: SessionRendererOptions) {
  const { stream, tty } = options;
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const prefix = paint("1;36", "conclave>");
  let view: { runId: string; view: ProgressView } | undefined;
  // The streamed reply not yet ended: text written after `conclave> `, and, while a block is up, the part line not yet printed.
  let streaming = false;
  let pending = "";
  // Plain output says a run's progress line only when it changed.
  const lastLine = new Map<string, string>();
  const finished = new Set<string>();
  // A run is announced once, whether its event came from the turn or from a session listener.
  const launched = new Set<string>();

  const print = (text: string) => {
    if (streaming && !view) {
      stream.write("\n");
      streaming = false;
    }
    if (view) view.view.print(text);
    else stream.write(`${text}\n`);
  };

  const delta = (text: string) => {
    if (!tty) return;
    if (view) {
      // Above a live block only whole lines can be written.
      pending += text;
      const cut = pending.lastIndexOf("\n");
      if (cut < 0) return;
      const lines = pending.slice(0, cut);
      pending = pending.slice(cut + 1);
      view.view.print(streaming ? lines : `${prefix} ${lines}`);
      streaming = true;
      return;
    }
    if (!streaming) stream.write(`${prefix} `);
    streaming = true;
    stream.write(text);
  };

  const message = (content: string) => {
    if (streaming) {
      if (view) {
        if (pending) view.view.print(pending);
      } else stream.write("\n");
      streaming = false;
      pending = "";
      return;
    }
    print(`${prefix} ${content.trimEnd()}`);
  };

  const progress = (ev: Extract<SessionEvent, { type: "run.progress" }>) => {
    if (finished.has(ev.run_id)) return;
    if (!tty) {
      // Plain output: a line when the phase or round changes, not at every percent.
      const c = ev.status?.coordination;
      const step = c ? `${c.phase} ${c.round}` : ev.line;
      if (lastLine.get(ev.run_id) === step) return;
      lastLine.set(ev.run_id, step);
      stream.write(`[run ${ev.run_id}] ${ev.line}\n`);
      return;
    }
    if (!view) {
      if (streaming) {
        stream.write("\n");
        streaming = false;
      }
      view = { runId: ev.run_id, view: createProgressView({ stream, tty: true, color: options.color, ...(options.throttleMs !== undefined && { throttleMs: options.throttleMs }) }) };
    }
    if (view.runId === ev.run_id) view.view.update(ev.status);
  };

  const runFinished = (result: LaunchRunResult) => {
    if (finished.has(result.run_id)) return;
    finished.add(result.run_id);
    lastLine.delete(result.run_id);
    if (view?.runId === result.run_id) {
      view.view.done();
      view = undefined;
    }
    print(paint(result.status === "completed" ? "32" : "31", finishedLine(result)));
  };

  return {
    /** Renders one event; `approval.request` and `query` are left to the caller. Returns whether it rendered it. */
    event(ev: SessionEvent): boolean {
      switch (ev.type) {
        case "message.delta":
          delta(ev.text);
          return true;
        case "message":
          message(ev.content);
          return true;
        case "run.launched":
          if (!launched.has(ev.run_id)) print(launchedLine(ev.run_id, ev.task, ev.args));
          launched.add(ev.run_id);
          return true;
        case "run.progress":
          progress(ev);
          return true;
        case "run.finished":
          runFinished(ev.result);
          return true;
        case "compacted":
          print(paint("2", `(older messages summarised to keep the context small: the first ${ev.upto} are in the summary, and all stay on disk)`));
          return true;
        case "notice":
          print(ev.line);
          return true;
        default:
          return false;
      }
    },
    /** A line of the REPL's own (a note, an answer to a slash command), above the live block. */
    print,
    /** Takes the live block off the screen while a question is asked. */
    pause() {
      view?.view.pause();
    },
    resume() {
      view?.view.resume();
    },
    /** Ends the turn: a streamed reply left open gets its newline; the live block, if any, stops where it is. */
    end() {
      if (streaming && !view) stream.write("\n");
      streaming = false;
      pending = "";
      if (view) {
        view.view.done();
        view = undefined;
      }
    },
  };
}
