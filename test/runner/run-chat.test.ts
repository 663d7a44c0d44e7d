import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LaunchRunArgs, LaunchRunResult } from "../../framework/runs/launch-run.ts";
import type { RunCard } from "../../framework/runs/run-card.ts";
import { APPROVAL_NEEDS_YES, runChat, type ChatIo } from "../../framework/runner/run-chat.ts";
import type { SessionEvent } from "../../framework/session/session-types.ts";
import { emptyRecord, handMadeSession, removeHandMadeSessions, type Step } from "../support/hand-made-session.ts";

// The REPL over a Session, driven through its input stream: piped (plain lines), and as a
// terminal (readline in terminal mode on a stream that says it is a TTY: Ctrl+C is "\x03",
// Enter is "\r"). The session is played from hand-made events (the engine has its own tests;
// test/runner/chat-command.test.ts drives the real one).

const ARGS: LaunchRunArgs = { task: "Add the handler module", agent_mode: "multi", planning_mode: false, execute_after_planning: false, context_paths: [], wait: true };
const CARD: RunCard = {
  task: "Add the handler module",
  agents: [
    { id: "alpha", backend: "scripted", model: "scripted" },
    { id: "beta", backend: "scripted", model: "scripted" },
    { id: "gamma", backend: "scripted", model: "scripted" },
  ],
  mode: "multi",
  maxRounds: 3,
  writes: [],
  estimate: { tokens: 6900, usd: 0.0123 },
};
const result = (status: string, extra: Partial<LaunchRunResult> = {}): LaunchRunResult => ({
  run_id: "r1",
  status,
  winner: status === "completed" ? "beta" : null,
  winner_reason: status === "completed" ? "2 of 3 votes" : null,
  answer: "done",
  files_changed: [],
  conflicts: [],
  cost_usd: 0.0123,
  elapsed_seconds: 3.2,
  log_dir: "/tmp/demo/runs/r1",
  ...extra,
});
const launched: SessionEvent = { type: "run.launched", run_id: "r1", log_dir: "/tmp/demo/runs/r1", task: "Add the handler module", args: ARGS };
const reply = (content: string): SessionEvent => ({ type: "message", role: "assistant", content });

// A terminal or a pipe for the REPL, with what it wrote and a way to wait for it.
function chatIo(tty: boolean) {
  const input = Object.assign(new PassThrough(), { isTTY: tty });
  let output = "";
  let errors = "";
  const waiters = new Set<() => void>();
  const proc = Object.assign(new EventEmitter(), { ppid: process.ppid, pid: process.pid, exitCodes: [] as number[] });
  const io: ChatIo = {
    input,
    output: { write: (s: string) => ((output += s), waiters.forEach((w) => w()), true) },
    errors: { write: (s: string) => ((errors += s), true) },
    env: {},
    process: Object.assign(proc, { exit: (code: number) => proc.exitCodes.push(code) }) as unknown as ChatIo["process"],
  };
  return {
    io,
    proc,
    type: (text: string) => input.write(text),
    end: () => input.end(),
    output: () => output,
    errors: () => errors,
    // Resolves once the output matches; rejects after 5 s with what it shows.
    waitFor: (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`no ${pattern} in:\n${output}`))), 5_000);
        waiters.add(check);
        check();
      }),
  };
}

afterAll(removeHandMadeSessions);

describe("runChat() with piped input", () => {
  it("takes each line as a turn, answers slash commands, and exits 0 at the end of input after closing the session", async () => {
    const session = handMadeSession((text) => [reply(`You said: ${text}`)]);
    const t = chatIo(false);
    t.type("What is the status?\n\n/runs\n/nope\nAnd now?\n");
    t.end();
    expect(await runChat(session, t.io)).toBe(0);
    expect(session.calls).toEqual(["send What is the status?", "send And now?", "close"]);
    expect(t.output().split("\n")).toEqual([
      "demo · 20261202-010203-ab12cd · idle · $0.0000",
      "you> What is the status?",
      "conclave> You said: What is the status?",
      "demo · 20261202-010203-ab12cd · idle · $0.0000",
      "demo · 20261202-010203-ab12cd · idle · $0.0000",
      "you> /runs",
      "No runs yet in this session.",
      "demo · 20261202-010203-ab12cd · idle · $0.0000",
      "you> /nope",
      "Unknown command /nope. The commands: /help, /runs, /cost, /context, /exit.",
      "demo · 20261202-010203-ab12cd · idle · $0.0000",
      "you> And now?",
      "conclave> You said: And now?",
      "demo · 20261202-010203-ab12cd · idle · $0.0000",
      "Session 20261202-010203-ab12cd saved: conclave chat --resume 20261202-010203-ab12cd",
      "",
    ]);
    expect(t.errors()).toBe("");
  });

  it("renders a run as plain lines: launched, each new progress line, and its end", async () => {
    const progress = (line: string): SessionEvent => ({ type: "run.progress", run_id: "r1", status: {} as never, line });
    const session = handMadeSession(() => [launched, progress("generation · round 1"), progress("generation · round 1"), progress("voting · round 1"), { type: "run.finished", run_id: "r1", result: result("completed") }, reply("Handler module done.")]);
    const t = chatIo(false);
    t.type("Add the handler module\n");
    t.end();
    expect(await runChat(session, t.io)).toBe(0);
    expect(t.output().split("\n").slice(1, 7)).toEqual([
      "you> Add the handler module",
      "[run r1] multi · all agents · Add the handler module",
      "[run r1] generation · round 1",
      "[run r1] voting · round 1",
      "[run r1] completed · winner beta (2 of 3 votes) · $0.0123 · 3.2 s",
      "conclave> Handler module done.",
    ]);
  });

  it("cancels a run that needs approval, says to pass --yes, and exits 1 after that turn without reading on", async () => {
    const session = handMadeSession(() => [{ type: "approval.request", card: CARD, task: CARD.task, reason: "estimate above $0.50", respond: () => {} }, reply("Understood: nothing was run.")]);
    const t = chatIo(false);
    t.type("Add the handler module\nAnd the tests\n");
    t.end();
    expect(await runChat(session, t.io)).toBe(1);
    expect(session.answers).toEqual([{ action: "cancel" }]);
    expect(session.calls).toEqual(["send Add the handler module", "close"]);
    expect(t.errors()).toBe(`${APPROVAL_NEEDS_YES}\n`);
    expect(t.output()).toContain("conclave> Understood: nothing was run.\n");
  });

  it("answers an agent's question with null (nobody is there) and says so", async () => {
    const session = handMadeSession(() => [launched, { type: "query", run_id: "r1", question: "Which port?", options: ["8080", "9090"], respond: () => {} }, reply("ok")]);
    const t = chatIo(false);
    t.type("Go\n");
    t.end();
    expect(await runChat(session, t.io)).toBe(0);
    expect(session.answers).toEqual([null]);
    expect(t.output()).toContain("[run r1] An agent asks: Which port? (nobody at a terminal: it goes on with its own assumption)\n");
  });

  it("shows a resumed session's last messages, then plays the session's recap turn", async () => {
    const record = { ...emptyRecord(), turns: 2 };
    const messages = [
      { role: "user" as const, content: "Plan the API", at: "" },
      { role: "assistant" as const, content: "", tool_calls: [], at: "" },
      { role: "tool" as const, content: "{}", at: "" },
      { role: "assistant" as const, content: "Steps 1–2 are done; step 3 remains.", at: "" },
    ];
    const session = handMadeSession(() => [], record, messages, [reply("Last time we finished steps 1–2; step 3 remains.")]);
    const t = chatIo(false);
    t.end();
    expect(await runChat(session, t.io, { resumed: true })).toBe(0);
    expect(t.output().split("\n").slice(0, 4)).toEqual([
      "Resumed session 20261202-010203-ab12cd (2 turns, 0 runs). The last messages:",
      "  you> Plan the API",
      "  conclave> Steps 1–2 are done; step 3 remains.",
      "conclave> Last time we finished steps 1–2; step 3 remains.",
    ]);
    expect(session.calls).toEqual(["recap", "close"]);
  });
});

describe("runChat() at a terminal", () => {
  // A turn that launches r1 and waits until the REPL cancels it or tells it something.
  const waitingRun = (): Step[] => [
    launched,
    async (s) => {
      const call = await s.waitForCall(/^(cancelRun|tell) /);
      return call.startsWith("cancelRun")
        ? [{ type: "run.finished", run_id: "r1", result: result("cancelled", { status_reason: "cancelled: by the person (Ctrl+C in the chat)" }) }, reply("The run was cancelled; here is what it had.")]
        : [{ type: "run.finished", run_id: "r1", result: result("completed") }, reply("Done, with your note.")];
    },
  ];

  it("Ctrl+C during a run cancels only the run: the turn ends with the reply, and /exit then exits 0", async () => {
    const session = handMadeSession(() => waitingRun());
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Add the handler module\r");
    await t.waitFor(/\[run r1\] multi/);
    t.type("\x03");
    await t.waitFor(/conclave> The run was cancelled/);
    expect(t.output()).toContain("Cancelling run r1: the orchestrator gets what it has so far (Ctrl+C again ends the turn).\n");
    expect(t.output()).toContain("[run r1] cancelled: by the person (Ctrl+C in the chat) · no winner · $0.0123 · 3.2 s\n");
    t.type("/exit\r");
    expect(await done).toBe(0);
    expect(session.calls).toEqual(["send Add the handler module", "cancelRun r1", "close"]);
  });

  it("a second Ctrl+C while the run is being cancelled ends the turn", async () => {
    const session = handMadeSession(() => [launched, async (_, signal) => void (await new Promise((resolve) => signal!.addEventListener("abort", resolve)))]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/\[run r1\]/);
    t.type("\x03");
    await t.waitFor(/Cancelling run r1/);
    t.type("\x03");
    await t.waitFor(/Ending the turn\./);
    await t.waitFor(/you> $/);
    t.type("\x03");
    expect(await done).toBe(0);
    expect(session.calls).toEqual(["send Go", "cancelRun r1", "close"]);
  });

  it("a line typed while a run works is a note for it", async () => {
    const session = handMadeSession(() => waitingRun());
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Add the handler module\r");
    await t.waitFor(/\[run r1\] multi/);
    t.type("use Socket.IO instead\r");
    await t.waitFor(/conclave> Done, with your note\./);
    expect(t.output()).toContain("Noted for the running run: use Socket.IO instead\n");
    t.type("\x04");
    expect(await done).toBe(0);
    expect(session.calls).toEqual(["send Add the handler module", "tell use Socket.IO instead", "close"]);
  });

  it("shows the approval card; Edit agents answers with the agents chosen", async () => {
    const session = handMadeSession(() => [{ type: "approval.request", card: CARD, task: CARD.task, reason: "estimate above $0.0100", respond: () => {} }, reply("Started with alpha and beta.")]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Add the handler module\r");
    await t.waitFor(/Approve \[a\], edit agents \[e\], or cancel \[c\]\? $/);
    expect(t.output()).toContain("Approval needed: estimate above $0.0100\n\nRun chat: Add the handler module\n  task       Add the handler module\n  agents     alpha (scripted), beta (scripted), gamma (scripted)\n");
    t.type("e\r");
    await t.waitFor(/Agents to run, comma-separated \(alpha, beta, gamma\): $/);
    t.type("alpha,beta\r");
    await t.waitFor(/conclave> Started with alpha and beta\./);
    t.type("/exit\r");
    expect(await done).toBe(0);
    expect(session.answers).toEqual([{ action: "edit", agents: ["alpha", "beta"] }]);
    // The Up arrow finds the messages, not what was typed at the card.
    expect(readFileSync(join(session.dir, "history"), "utf8")).toBe("Add the handler module\n/exit\n");
  });

  it("Ctrl+C at the approval card cancels that run", async () => {
    const session = handMadeSession(() => [{ type: "approval.request", card: CARD, task: CARD.task, reason: "", respond: () => {} }, reply("Nothing was run.")]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Add the handler module\r");
    await t.waitFor(/or cancel \[c\]\? $/);
    t.type("\x03");
    await t.waitFor(/conclave> Nothing was run\.\n[^]*you> $/);
    expect(t.output()).toContain("Cancelled: the run was not started; the orchestrator is told.\n");
    t.type("\x03");
    expect(await done).toBe(0);
    expect(session.answers).toEqual([{ action: "cancel" }]);
  });

  it("asks an agent's question inline with its context and its options numbered; a number picks the option", async () => {
    const session = handMadeSession(() => [launched, { type: "query", run_id: "r1", question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80.", respond: () => {} }, reply("Port noted.")]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/Enter lets it decide\): $/);
    expect(t.output()).toContain("\n[run r1] An agent asks: Which port?\n  The proxy listens on 80.\n  1. 8080\n  2. 9090\n");
    t.type("2\r");
    await t.waitFor(/conclave> Port noted\./);
    t.type("/exit\r");
    expect(await done).toBe(0);
    expect(session.answers).toEqual(["9090"]);
  });

  it("asks agents' questions that come together between turns one after the other, in order, each answered as typed", async () => {
    const session = handMadeSession(() => [launched, reply("Started r1 in the background.")]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/Started r1 in the background\.\n[^]*you> $/);
    const answered: [string, string | null][] = [];
    const query = (question: string, options?: string[]): SessionEvent => ({ type: "query", run_id: "r1", question, ...(options && { options }), respond: (a) => answered.push([question, a]) });
    session.emit(query("Which port?", ["8080", "9090"]));
    session.emit(query("Which database?"));
    await t.waitFor(/\[run r1\] An agent asks: Which port\?\n  1\. 8080\n  2\. 9090\n\S*Your answer \(a number or your own words; Enter lets it decide\): /);
    expect(t.output()).not.toContain("Which database?");
    t.type("2\r");
    await t.waitFor(/\[run r1\] An agent asks: Which database\?\n\S*Your answer \(Enter lets it decide\): /);
    t.type("Postgres\r");
    await t.waitFor(/Postgres\r?\n\S*you> /);
    expect(answered).toEqual([["Which port?", "9090"], ["Which database?", "Postgres"]]);
    t.type("/exit\r");
    expect(await done).toBe(0);
  });

  it("takes a question off the prompt when its run stops waiting, and asks the next", async () => {
    const session = handMadeSession(() => [launched, reply("Started r1 in the background.")]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/Started r1 in the background\.\n[^]*you> $/);
    const answered: [string, string | null][] = [];
    const waiting = new AbortController();
    session.emit({ type: "query", run_id: "r1", question: "Which port?", respond: (a) => answered.push(["Which port?", a]), signal: waiting.signal });
    session.emit({ type: "query", run_id: "r1", question: "Which database?", respond: (a) => answered.push(["Which database?", a]) });
    await t.waitFor(/Which port\?\n\S*Your answer \(Enter lets it decide\): /);
    waiting.abort();
    await t.waitFor(/\(the run no longer waits for this answer: it went on with its own assumption\)\n[^]*Which database\?\n\S*Your answer \(Enter lets it decide\): /);
    t.type("SQLite\r");
    await t.waitFor(/SQLite\r?\n\S*you> /);
    expect(answered).toEqual([["Which port?", null], ["Which database?", "SQLite"]]);
    t.type("/exit\r");
    expect(await done).toBe(0);
  });

  it("says so in one line when a question is taken off the prompt because nobody answered within timeouts.human", async () => {
    const session = handMadeSession(() => [launched, reply("Started r1 in the background.")]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/Started r1 in the background\.\n[^]*you> $/);
    const answered: (string | null)[] = [];
    const waiting = new AbortController();
    session.emit({ type: "query", id: "q1", run_id: "r1", agent: "alpha", question: "Which port?", respond: (a) => answered.push(a), signal: waiting.signal });
    await t.waitFor(/Which port\?\n\S*Your answer \(Enter lets it decide\): /);
    waiting.abort("timed out");
    await t.waitFor(/No answer in time: the agent will state its assumption\.\n/);
    expect(answered).toEqual([null]);
    t.type("/exit\r");
    expect(await done).toBe(0);
  });

  it("Ctrl+C at an agent's question leaves that one to the agent and asks the next", async () => {
    const session = handMadeSession(() => [launched, reply("Started r1 in the background.")]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/Started r1 in the background\.\n[^]*you> $/);
    const answered: [string, string | null][] = [];
    const query = (question: string): SessionEvent => ({ type: "query", run_id: "r1", question, respond: (a) => answered.push([question, a]) });
    session.emit(query("Which port?"));
    session.emit(query("Which database?"));
    await t.waitFor(/Which port\?\n\S*Your answer \(Enter lets it decide\): /);
    t.type("\x03");
    await t.waitFor(/Which database\?\n\S*Your answer \(Enter lets it decide\): /);
    t.type("SQLite\r");
    await t.waitFor(/SQLite\r?\n\S*you> /);
    expect(answered).toEqual([["Which port?", null], ["Which database?", "SQLite"]]);
    t.type("/exit\r");
    expect(await done).toBe(0);
    expect(session.calls).toEqual(["send Go", "close"]);
  });

  it("SIGTERM mid-run stops the turn and the run, closes the session and returns 4", async () => {
    const session = handMadeSession(() => [launched, async (_, signal) => void (await new Promise((resolve) => signal!.addEventListener("abort", resolve)))]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/\[run r1\]/);
    t.proc.emit("SIGTERM");
    expect(await done).toBe(4);
    expect(session.calls).toEqual(["send Go", "cancelRun r1", "close"]);
    expect(t.errors()).toBe("Interrupted by SIGTERM: finishing the session (send it again to quit at once).\n");
    expect(t.proc.exitCodes).toEqual([]);
  });

  it("a background run's end is shown above the prompt, with the context bar as it is now", async () => {
    const session = handMadeSession(() => [launched, reply("Started r1 in the background.")]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/Started r1 in the background\.\n[^]*you> $/);
    session.emit({ type: "run.finished", run_id: "r1", result: result("completed") });
    await t.waitFor(/\[run r1\] completed · winner beta.*\ndemo · 20261202-010203-ab12cd · idle · \$0\.0000\n/);
    t.type("/exit\r");
    expect(await done).toBe(0);
  });

  it("keeps the lines typed in the session's history file, so the Up arrow finds them in the next chat", async () => {
    const first = handMadeSession((text) => [reply(`You said: ${text}`)]);
    const t1 = chatIo(true);
    const done1 = runChat(first, t1.io);
    t1.type("What is the status?\r");
    await t1.waitFor(/conclave> You said: What is the status\?\n[^]*you> $/);
    t1.type("\x04");
    expect(await done1).toBe(0);
    expect(readFileSync(join(first.dir, "history"), "utf8")).toBe("What is the status?\n");
    const again = handMadeSession((text) => [reply(`Again: ${text}`)], emptyRecord(), [], [], first.dir);
    const t2 = chatIo(true);
    const done2 = runChat(again, t2.io);
    await t2.waitFor(/you> /);
    t2.type("\x1b[A\r");
    await t2.waitFor(/conclave> Again: What is the status\?/);
    t2.type("\x04");
    expect(await done2).toBe(0);
    expect(again.calls).toEqual(["send What is the status?", "close"]);
  });

  it("/exit typed during a turn ends the turn and leaves with 0", async () => {
    const session = handMadeSession(() => [launched, async (_, signal) => void (await new Promise((resolve) => signal!.addEventListener("abort", resolve)))]);
    const t = chatIo(true);
    const done = runChat(session, t.io);
    t.type("Go\r");
    await t.waitFor(/\[run r1\]/);
    t.type("/runs\r");
    await t.waitFor(/No runs yet in this session\./);
    t.type("/exit\r");
    expect(await done).toBe(0);
    expect(t.output()).toContain("Leaving: the turn is ended.\n");
    expect(session.calls).toEqual(["send Go", "close"]);
  });
});
