import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { createQueryBoard, type QueryEvent } from "../../framework/runs/query-board.ts";

describe("createQueryBoard()", () => {
  it("lists a question in the wire shape with the next id, and resolves it with the answer given", async () => {
    const board = createQueryBoard({ timeoutMs: 60_000 });
    const events: QueryEvent[] = [];
    board.subscribe((e) => events.push(e));
    const answer = board.ask("run-1", "beta", { question: "JWT or Session?", options: ["JWT", "Session"], context: "The API has no auth." });
    const other = board.ask("run-1", null, { question: "Which port?" });
    expect(board.list()).toEqual([
      { type: "query", id: "q1", run_id: "run-1", agent: "beta", question: "JWT or Session?", options: ["JWT", "Session"], context: "The API has no auth." },
      { type: "query", id: "q2", run_id: "run-1", agent: null, question: "Which port?", options: null, context: null },
    ]);
    board.answer("q1", " Session ");
    board.answer("q2", "8080, as in production");
    expect(await answer).toBe("Session");
    expect(await other).toBe("8080, as in production");
    expect(board.list()).toEqual([]);
    expect(events.map((e) => (e.type === "asked" ? `asked ${e.query.id}` : `settled ${e.id} ${e.answer}`))).toEqual(["asked q1", "asked q2", "settled q1 Session", "settled q2 8080, as in production"]);
  });

  it("refuses an unknown id and an empty answer, saying what is pending and what to give", () => {
    const board = createQueryBoard({ timeoutMs: 60_000 });
    expect(() => board.answer("q7", "JWT")).toThrow("no pending query `q7`: none is pending (it may have been answered, or timed out); list_queries lists them.");
    void board.ask("run-1", null, { question: "JWT or Session?", options: ["JWT", "Session"] });
    expect(() => board.answer("q7", "JWT")).toThrow("no pending query `q7`: the pending ones are q1; list_queries lists them.");
    expect(() => board.answer("q1", "  ")).toThrow('an empty answer to query `q1`: give one of "JWT", "Session", or your answer in words.');
  });

  it("resolves to null when nobody answers in time, when the run stops waiting, or when the query is dismissed", async () => {
    const board = createQueryBoard({ timeoutMs: 20 });
    expect(await board.ask("run-1", null, { question: "Anyone?" })).toBeNull();
    const slow = createQueryBoard({ timeoutMs: 60_000 });
    const controller = new AbortController();
    const aborted = slow.ask("run-1", null, { question: "Still there?" }, controller.signal);
    controller.abort();
    expect(await aborted).toBeNull();
    const dismissed = slow.ask("run-1", null, { question: "Declined?" });
    expect(slow.dismiss("q2")).toBe(true);
    expect(await dismissed).toBeNull();
    expect(slow.list()).toEqual([]);
  });

  it("says why each query was settled, and times out on the clock it is given", async () => {
    const clock = new SimulatedClock({ auto: false });
    const board = createQueryBoard({ timeoutMs: 600_000, clock });
    const events: QueryEvent[] = [];
    board.subscribe((e) => events.push(e));
    const controller = new AbortController();
    const answered = board.post("run-1", "alpha", { question: "Which port?" });
    const dismissed = board.post("run-1", "alpha", { question: "Which host?" });
    const withdrawn = board.post("run-1", "beta", { question: "Which user?" }, controller.signal);
    const timedOut = board.post("run-1", "beta", { question: "Which region?" });
    expect([answered, dismissed, withdrawn, timedOut].map((p) => p.query?.id)).toEqual(["q1", "q2", "q3", "q4"]);
    board.answer("q1", "8080");
    board.dismiss("q2");
    controller.abort();
    await clock.advance(599_999);
    expect(board.list().map((q) => q.id)).toEqual(["q4"]);
    await clock.advance(1);
    expect(await Promise.all([answered, dismissed, withdrawn, timedOut].map((p) => p.settled))).toEqual([
      { answer: "8080", reason: "answered" },
      { answer: null, reason: "dismissed" },
      { answer: null, reason: "withdrawn" },
      { answer: null, reason: "timed out" },
    ]);
    expect(events.filter((e) => e.type === "settled")).toEqual([
      { type: "settled", id: "q1", answer: "8080", reason: "answered" },
      { type: "settled", id: "q2", answer: null, reason: "dismissed" },
      { type: "settled", id: "q3", answer: null, reason: "withdrawn" },
      { type: "settled", id: "q4", answer: null, reason: "timed out" },
    ]);
    expect(board.timeoutMs).toBe(600_000);
    expect(clock.pending).toBe(0);
    // A question whose run already stopped waiting is never posted.
    expect(board.post("run-1", null, { question: "Late?" }, controller.signal).query).toBeNull();
    expect(board.list()).toEqual([]);
  });

  it("settles a query for the agent even when a surface's listener throws, and tells the other listeners", async () => {
    const board = createQueryBoard({ timeoutMs: 60_000 });
    const seen: string[] = [];
    board.subscribe(() => {
      throw new Error("a closed stream");
    });
    board.subscribe((e) => seen.push(e.type));
    const answer = board.ask("run-1", "beta", { question: "JWT or Session?" });
    board.answer("q1", "JWT");
    expect(await answer).toBe("JWT");
    expect([seen, board.list()]).toEqual([["asked", "settled"], []]);
  });
});
