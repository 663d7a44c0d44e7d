import { describe, expect, it } from "vitest";
import { parseEvents } from "../../framework/analysis/read-run-files.ts";
import { runTimeline } from "../../framework/analysis/run-timeline.ts";

const usage = (agentId: string, round: number, t: number) => ({ t, type: "run.agent.usage", agentId, round, usage: { input_tokens: 100, output_tokens: 10, cached_tokens: 0 }, cost_usd: 0.001, model: "gpt-4.1-mini" });

describe("runTimeline()", () => {
  it("times each call from the agent's last mark: the round's start, its previous call or tool call, or a backoff's end", () => {
    const timeline = runTimeline(
      [
        { t: 0, type: "run.phase", phase: "planning", round: 0 },
        { t: 10, type: "run.phase", phase: "generation", round: 1 },
        { t: 110, type: "run.agent.retry", agentId: "alpha", round: 1, attempt: 1, delay_ms: 500, error: "429 rate limited" },
        usage("beta", 1, 210),
        { t: 211, type: "run.agent.tool_call", agentId: "beta", round: 1, name: "new_answer", ok: false, error: "Your answer is too similar to answer A (similarity 0.95, the limit is 0.9). Vote for the best answer instead." },
        usage("alpha", 1, 900), // 610 + 290
        { t: 950, type: "run.agent.tool_call", agentId: "alpha", round: 1, name: "read_file", ok: true },
        usage("alpha", 1, 1150),
        { t: 1151, type: "run.agent.answered", agentId: "alpha", round: 1, content: "Use Redis." },
        { t: 5010, type: "run.deadline", deadline: "generation", timed_out: ["beta"] },
        { t: 5011, type: "run.phase", phase: "finalization", round: 1 },
        { t: 5012, type: "run.finished", status: "completed", winner: "alpha", winner_reason: "only answer; no votes" },
      ],
      ["alpha", "beta"],
    );
    expect(timeline.calls.map((c) => [c.agent, c.start, c.end])).toEqual([["beta", 10, 210], ["alpha", 610, 900], ["alpha", 950, 1150]]);
    expect(timeline.turns).toEqual([
      { agent: "alpha", round: 1, phase: "generation", start: 10, end: 1151, outcome: "answer" },
      { agent: "beta", round: 1, phase: "generation", start: 10, end: 5011, outcome: "cut_off" },
    ]);
    expect(timeline.rejections).toEqual([{ agent: "beta", round: 1, t: 211, label: "A", similarity: 0.95, limit: 0.9 }]);
    expect(timeline.deadlines).toEqual([{ t: 5010, round: 1, deadline: "generation", timed_out: ["beta"] }]);
    expect(timeline.answers).toEqual([{ version: "alpha.1", agent: "alpha", k: 1, round: 1, t: 1151, content: "Use Redis." }]);
    expect(timeline).toMatchObject({ rounds: 1, end: 5012, labels: { alpha: "A", beta: "B" }, finished: { status: "completed", winner: "alpha" } });
  });
});

describe("parseEvents()", () => {
  it("skips a torn line and lines that are not events", () => {
    const text = '{"t":1,"type":"run.phase","phase":"planning","round":0}\n[1,2]\n{"t":2,"type":"run.pha';
    expect(parseEvents(text)).toEqual([{ t: 1, type: "run.phase", phase: "planning", round: 0 }]);
  });
});
