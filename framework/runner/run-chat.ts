import { clearLine, clearScreenDown, cursorTo, moveCursor } from "node:readline";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import type { Session, SessionEvent } from "../session/session-types.ts";
import { askAgentQuestion } from "./ask-agent-question.ts";
import { askApprovalWith } from "./approval.ts";
import { HISTORY_LINES, readChatHistory, writeChatHistory } from "./chat-history.ts";
import { chatSlashCommand } from "./chat-slash-commands.ts";
import { clip } from "./clip.ts";
import { contextBar } from "./context-bar.ts";
import { EXIT } from "./exit-codes.ts";
import { describeStopRequest, onStopRequest, stopReason, type StopSource } from "./on-stop-request.ts";
import { loadTerminalView } from "./progress-view.ts";
import { createSessionRenderer } from "./render-session-event.ts";

/** Where the REPL reads and writes, and the process whose signals it listens for. */
export interface ChatIo {
  /** The person's lines: a terminal (readline with history, Ctrl+C and Ctrl+D), or a pipe read line by line. */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The conversation: replies, runs, the progress view, the context bar. */
  output: { write(s: string): unknown; isTTY?: boolean; columns?: number; rows?: number };
  /** Errors the person must act on. */
  errors: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** SIGINT, SIGTERM and SIGHUP come from here; a second SIGTERM quits at once through its `exit`. */
  process: StopSource & Pick<NodeJS.Process, "exit">;
}

export interface RunChatOptions {
  /** The session was resumed: its last messages are shown first. */
  resumed?: boolean;
}

/** The line said, and the exit, when a run needs approval and nobody is at a terminal. */
export const APPROVAL_NEEDS_YES = "A run needs approval: pass --yes to approve runs when stdin is not a terminal.";

/**
 * The REPL of `conclave chat` over an open Session: the context bar and `you> ` before each
 * line, each line a turn (`session.send`) rendered as it goes, approvals and agents' questions
 * asked inline, slash commands, typing during a run as a note for it (`session.tell`). Ctrl+C
 * during a run cancels that run (again: ends the turn); at the prompt it leaves, as Ctrl+D,
 * `/exit` and the end of piped input do: the session is closed (saved) and 0 returned. SIGTERM,
 * SIGHUP or the launcher gone: the turn and the runs are stopped, the session closed, 4 returned.
 *
 * @example
 * const session = await openSession({ project: "projects/demo" });
 * process.exitCode = await runChat(session, { input: process.stdin, output: process.stdout, errors: process.stderr, env: process.env, process });
 */
export async function runChat(session: Session, io: ChatIo, options: RunChatOptions = {}): Promise<number> {
  const interactive = Boolean(io.input.isTTY);
  const tty = Boolean(io.output.isTTY);
  const color = tty && !io.env.NO_COLOR;
  if (tty) await loadTerminalView();
  const renderer = createSessionRenderer({ stream: io.output, tty, color });
  const rl = createInterface({
    input: io.input,
    output: readlineOutput(io.output),
    terminal: interactive,
    history: interactive ? readChatHistory(session.dir) : [],
    historySize: HISTORY_LINES,
    removeHistoryDuplicates: true,
  });
  // The lines typed at a terminal are kept with the session, so a resumed session's Up arrow finds them: the messages,
  // not what was typed at an approval card or to an agent's question (`a`, `e`, an agent list, an answer).
  let historyFailed = false;
  if (interactive) {
    rl.on("history", (history: string[]) => {
      if (question) history.shift(); // readline lets the listener change the history: the line just added goes
      try {
        writeChatHistory(session.dir, history);
      } catch (error) {
        if (!historyFailed) io.errors.write(`conclave: cannot keep the typed lines in ${session.dir}/history (${(error as Error).message}); the session itself is saved apart.\n`);
        historyFailed = true;
      }
    });
  }
  rl.setPrompt("you> ");
  const out = (line: string) => io.output.write(`${line}\n`);
  const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[0m` : text);

  const lines: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let turn: { controller: AbortController; cancelling: Set<string> } | undefined;
  // The approval card or agent's question on screen: Ctrl+C, a stop request or the input closing abort it.
  let question: AbortController | undefined;
  let atPrompt = false;
  let exitCode: number | undefined;
  let closing = false;
  let stopped = false;

  // Above the prompt while it waits (a background run finishing): the prompt and what was typed are drawn again below.
  const aside = (write: () => void) => {
    if (!atPrompt || !interactive || !tty) return write();
    clearLine(io.output as Writable, 0);
    cursorTo(io.output as Writable, 0);
    write();
    rl.prompt(true);
  };

  const approve = async (ev: Extract<SessionEvent, { type: "approval.request" }>) => {
    if (!interactive) {
      ev.respond({ action: "cancel" });
      io.errors.write(`${APPROVAL_NEEDS_YES}\n`);
      exitCode ??= EXIT.usage;
      return;
    }
    if (ended) {
      ev.respond({ action: "cancel" });
      renderer.print("The input is closed, so nobody can approve: the run was not started.");
      return;
    }
    question = new AbortController();
    renderer.pause();
    try {
      if (ev.reason) out(dim(`Approval needed: ${ev.reason}`));
      const decision = await askApprovalWith(rl, ev.card, `chat: ${clip(ev.task, 60)}`, io.output, question.signal).catch(() => ({ action: "cancel" as const }));
      ev.respond(decision.action === "interrupt" ? { action: "cancel" } : decision);
      if (decision.action !== "approve" && decision.action !== "edit") out("Cancelled: the run was not started; the orchestrator is told.");
    } finally {
      question = undefined;
      renderer.resume();
    }
  };

  const answerQuery = async (ev: Extract<SessionEvent, { type: "query" }>) => {
    if (!interactive || ended || stopped) {
      ev.respond(null);
      renderer.print(`[run ${ev.run_id}] An agent asks: ${ev.question} (${stopped ? "the session is stopping" : "nobody at a terminal"}: it goes on with its own assumption)`);
      return;
    }
    if (ev.signal?.aborted) return renderer.print(`[run ${ev.run_id}] An agent asked: ${ev.question} (no longer waiting: it went on with its own assumption)`);
    question = new AbortController();
    renderer.pause();
    try {
      // The run may stop waiting (its question timed out, the run ended): the question is then taken off the prompt.
      const answer = await askAgentQuestion(rl, ev, io.output, ev.signal ? AbortSignal.any([question.signal, ev.signal]) : question.signal);
      // Nobody answered within coordination.timeouts.human (the session's reason), or the run stopped waiting (it ended).
      if (ev.signal?.aborted) io.output.write(ev.signal.reason === "timed out" ? "No answer in time: the agent will state its assumption.\n" : "(the run no longer waits for this answer: it went on with its own assumption)\n");
      ev.respond(answer);
    } finally {
      question = undefined;
      renderer.resume();
    }
  };

  // What waits for the person (approval cards, agents' questions, from the turn or from a run between turns) is asked one
  // at a time, in the order it came: readline keeps one question, and drops (never settles) a second asked meanwhile.
  let asking: Promise<unknown> = Promise.resolve();
  let waitingAsks = 0;
  const oneAtATime = (ask: () => Promise<void>): Promise<void> => {
    waitingAsks++;
    const asked = asking.then(ask).finally(() => waitingAsks--);
    asking = asked.catch(() => undefined);
    return asked;
  };

  // One event of the turn, or of a run going on between turns.
  const handle = async (ev: SessionEvent) => {
    if (ev.type === "approval.request") await oneAtATime(() => approve(ev));
    else if (ev.type === "query") await oneAtATime(() => answerQuery(ev));
    else renderer.event(ev);
  };

  // Events the turn yields; the same objects reach the session's listeners, which leave them to the turn.
  const handled = new WeakSet<SessionEvent>();
  const runTurn = async (events: (signal: AbortSignal) => AsyncIterable<SessionEvent>) => {
    const controller = new AbortController();
    turn = { controller, cancelling: new Set() };
    try {
      for await (const ev of events(controller.signal)) {
        handled.add(ev);
        await handle(ev);
      }
    } catch (error) {
      if (controller.signal.aborted) renderer.print("The turn was ended.");
      else io.errors.write(`conclave: the turn failed: ${(error as Error).message}\n`);
    } finally {
      renderer.end();
      turn = undefined;
    }
    // Whatever a listener heard while the turn ended and the turn did not yield (a background run's end, its agent's question).
    for (const ev of missed.splice(0)) if (!handled.has(ev)) between(ev);
  };

  // A line typed while a turn goes (a terminal): a slash command at once, a note for the running run, or the next message.
  const duringTurn = (line: string) => {
    const text = line.trim();
    if (!text) return;
    if (text.startsWith("/")) {
      const answer = chatSlashCommand(text, session);
      if (answer.exit) {
        exitCode ??= EXIT.ok;
        renderer.print("Leaving: the turn is ended.");
        turn?.controller.abort("the person left");
      } else renderer.print(answer.text);
      return;
    }
    if (session.running().length && session.tell(text)) renderer.print(`Noted for the running run: ${text}`);
    else {
      lines.push(text);
      renderer.print(`Queued for after this turn: ${text}`);
    }
  };

  const ctrlC = () => {
    if (question) return question.abort();
    if (turn) {
      const running = session.running();
      const stillCancelling = [...turn.cancelling].some((id) => running.includes(id));
      if (stillCancelling || running.length === 0) {
        renderer.print("Ending the turn.");
        turn.controller.abort("interrupted");
        return;
      }
      for (const id of running) {
        session.cancelRun(id, "by the person (Ctrl+C in the chat)");
        turn.cancelling.add(id);
      }
      renderer.print(`Cancelling run ${running.join(", ")}: the orchestrator gets what it has so far (Ctrl+C again ends the turn).`);
      return;
    }
    if (interactive) io.output.write("\n");
    exitCode ??= EXIT.ok;
    poke();
  };

  rl.on("line", (line) => {
    if (turn && interactive) {
      // The typed line was echoed under the progress block (which does not know of it): take it off, so the block is redrawn in place.
      if (tty) {
        moveCursor(io.output as Writable, 0, -Math.max(1, Math.ceil(line.length / (io.output.columns || 80))));
        clearScreenDown(io.output as Writable);
      }
      return duringTurn(line);
    }
    lines.push(line);
    poke();
  });
  rl.on("close", () => {
    ended = true;
    question?.abort();
    poke();
  });
  rl.on("SIGINT", ctrlC);
  const stop = onStopRequest((request) => {
    if (request.kind === "signal" && request.signal === "SIGINT") return ctrlC();
    if (stopped) return request.kind === "signal" ? io.process.exit(EXIT.interrupted) : undefined;
    stopped = true;
    exitCode = EXIT.interrupted;
    aside(() => io.errors.write(`${describeStopRequest(request, "the session")}\n`));
    question?.abort();
    turn?.controller.abort(stopReason(request));
    for (const id of session.running()) session.cancelRun(id, stopReason(request));
    poke();
  }, io.process);
  // Runs launched with `wait: false` go on between turns: how they end, notices and their agents' questions are shown above the
  // prompt (their progress only in the context bar). During a turn the turn yields them all.
  const missed: SessionEvent[] = [];
  const between = (ev: SessionEvent) => {
    if (closing) return;
    if (ev.type === "run.launched" || ev.type === "notice") return aside(() => renderer.event(ev));
    // A run that ends while the prompt waits: its line, and the context bar as it is now.
    if (ev.type === "run.finished") return aside(() => renderer.event(ev) && atPrompt && out(dim(contextBar(session.record(), session.running().length))));
    if (ev.type === "query") {
      void oneAtATime(async () => {
        if (atPrompt && interactive) {
          clearLine(io.output as Writable, 0);
          cursorTo(io.output as Writable, 0);
        }
        await answerQuery(ev);
        // The prompt again once the last question waiting is answered.
        if (atPrompt && interactive && waitingAsks === 1) rl.prompt(true);
      }).catch((error: unknown) => io.errors.write(`conclave: could not ask an agent's question: ${(error as Error).message}\n`));
    }
  };
  const unsubscribe = session.subscribe((ev) => (turn ? missed.push(ev) : between(ev)));

  const next = async (): Promise<string | undefined> => {
    for (;;) {
      if (exitCode !== undefined) return undefined;
      if (lines.length) return lines.shift();
      if (ended) return undefined;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };

  try {
    if (options.resumed) {
      showRecent(session, out);
      await runTurn(() => session.recap());
    }
    for (;;) {
      if (exitCode !== undefined) break;
      out(dim(contextBar(session.record(), session.running().length)));
      // A line typed during the last turn is taken now, and shown as if typed at this prompt.
      const queued = lines.length > 0;
      if (interactive && !queued) rl.prompt();
      atPrompt = true;
      const line = await next();
      atPrompt = false;
      if (line === undefined) break;
      const text = line.trim();
      if (!text) continue;
      if (!interactive || queued) out(`you> ${text}`);
      if (text.startsWith("/")) {
        const answer = chatSlashCommand(text, session);
        if (answer.exit) break;
        out(answer.text);
        continue;
      }
      await runTurn((signal) => session.send(text, { signal }));
    }
  } finally {
    atPrompt = false;
    closing = true;
    rl.close();
  }
  const running = session.running();
  if (running.length && exitCode !== EXIT.interrupted) out(`Cancelling ${running.length === 1 ? "run" : "runs"} ${running.join(", ")}: leaving stops the runs still going (what they have is kept).`);
  try {
    await session.close();
  } finally {
    unsubscribe();
    stop();
  }
  out(`Session ${session.id} saved: conclave chat --resume ${session.id}`);
  return exitCode ?? EXIT.ok;
}

// readline at a terminal listens on its output (resizes): a stream as it is, anything else that writes wrapped in one.
function readlineOutput(output: ChatIo["output"]): Writable {
  if (typeof (output as Partial<Writable>).on === "function") return output as Writable;
  const stream = new Writable({ write: (chunk: Buffer | string, _encoding, done) => (output.write(String(chunk)), done()) });
  return Object.defineProperty(stream, "columns", { get: () => output.columns ?? 80 });
}

// The last messages of a resumed session, so the person sees where the conversation stands.
function showRecent(session: Session, out: (line: string) => void): void {
  const said = session.messages().filter((m) => (m.role === "user" || m.role === "assistant") && m.content.trim());
  const record = session.record();
  out(`Resumed session ${record.id} (${record.turns} turn${record.turns === 1 ? "" : "s"}, ${record.runs.length} run${record.runs.length === 1 ? "" : "s"}).${said.length ? " The last messages:" : ""}`);
  for (const m of said.slice(-6)) out(`  ${m.role === "user" ? "you>" : "conclave>"} ${clip(m.content, 160)}`);
}
