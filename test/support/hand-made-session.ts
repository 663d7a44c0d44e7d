import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApprovalAnswer, Session, SessionEvent, SessionRecord, SessionUsage, StoredMessage } from "../../framework/session/session-types.ts";

// A Session played from a list of steps per turn, for the REPL's own tests (the engine has its
// own): each step is an event, or a function that waits (for a cancel, for a note) and returns
// the next events. Events that wait for a person resolve with the REPL's answer, recorded in
// `answers`. Every call of the REPL into the session is recorded in `calls`.

export type Step = SessionEvent | ((session: HandMadeSession, signal: AbortSignal | undefined) => Promise<SessionEvent[] | void>);

export interface HandMadeSession extends Session {
  calls: string[];
  answers: (ApprovalAnswer | string | null)[];
  /** Runs the REPL sees as running. */
  runningIds: Set<string>;
  /** Resolves with the first call (made already, or to come) that matches `pattern`. */
  waitForCall(pattern: RegExp): Promise<string>;
  /** Emits to subscribe() listeners (a background run's event between turns). */
  emit(event: SessionEvent): void;
  closed: boolean;
}

const dirs: string[] = [];
// The session's directory, where the REPL keeps its history: a fresh one, removed by removeHandMadeSessions().
const made = () => {
  const dir = mkdtempSync(join(tmpdir(), "conclave-hand-made-session-"));
  dirs.push(dir);
  return dir;
};

/** Removes the directories of the sessions made so far. */
export function removeHandMadeSessions(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

const usage = (cost: number | null): SessionUsage => ({ input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: cost, calls: 0 });

export function emptyRecord(id = "20261202-010203-ab12cd", project: string | null = "/tmp/demo"): SessionRecord {
  return { id, project, title: "", created_at: "2026-12-02T01:02:03.000Z", updated_at: "2026-12-02T01:02:03.000Z", turns: 0, runs: [], usage: { conversation: usage(0), runs: usage(0) }, compaction: null };
}

/** A session whose turn for each line is `turns(text)`. */
export function handMadeSession(turns: (text: string) => Step[], record: SessionRecord = emptyRecord(), messages: StoredMessage[] = [], recap: Step[] = [], dir = made()): HandMadeSession {
  const listeners = new Set<(e: SessionEvent) => void>();
  let waiting: ((call: string) => void)[] = [];
  const called = (call: string) => {
    session.calls.push(call);
    const w = waiting;
    waiting = [];
    for (const resolve of w) resolve(call);
  };
  const session: HandMadeSession = {
    id: record.id,
    dir,
    calls: [],
    answers: [],
    runningIds: new Set(),
    closed: false,
    record: () => structuredClone(record),
    messages: () => [...messages],
    async *send(text, options) {
      called(`send ${text}`);
      messages.push({ role: "user", content: text, at: "2026-12-02T01:02:04.000Z" });
      record.turns++;
      const queue = [...turns(text)];
      while (queue.length) {
        if (options?.signal?.aborted) return;
        const step = queue.shift()!;
        if (typeof step === "function") {
          const more = await step(session, options?.signal);
          if (more) queue.unshift(...more);
          continue;
        }
        if (step.type === "approval.request" || step.type === "query") {
          // The turn goes on once the REPL has answered through respond().
          let respond!: (answer: ApprovalAnswer | string | null) => void;
          const answered = new Promise<ApprovalAnswer | string | null>((resolve) => (respond = resolve));
          yield { ...step, respond } as SessionEvent;
          session.answers.push(await answered);
          continue;
        }
        if (step.type === "run.launched") session.runningIds.add(step.run_id);
        if (step.type === "run.finished") session.runningIds.delete(step.run_id);
        if (step.type === "message") messages.push({ role: "assistant", content: step.content, at: "2026-12-02T01:02:05.000Z" });
        for (const l of listeners) l(step);
        yield step;
      }
    },
    async *recap() {
      called("recap");
      for (const step of recap) if (typeof step !== "function") yield step;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancelRun(runId) {
      called(`cancelRun ${runId}`);
      return session.runningIds.has(runId);
    },
    tell(note) {
      if (!session.runningIds.size) return false;
      called(`tell ${note}`);
      return true;
    },
    running: () => [...session.runningIds],
    context: () => ({ system: "You are the orchestrator.\n# Project\nCONTEXT.md: a demo\n# Spend\n$0.0000", messages: messages.map((m) => ({ role: m.role, content: m.content })), tokens: 42 }),
    async close() {
      called("close");
      session.closed = true;
    },
    waitForCall: (pattern) =>
      new Promise((resolve) => {
        const made = session.calls.find((c) => pattern.test(c));
        if (made) return resolve(made);
        const check = (call: string) => (pattern.test(call) ? resolve(call) : waiting.push(check));
        waiting.push(check);
      }),
    emit(event) {
      if (event.type === "run.finished") session.runningIds.delete(event.run_id);
      for (const l of listeners) l(event);
    },
  };
  return session;
}
