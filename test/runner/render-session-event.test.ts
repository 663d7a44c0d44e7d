import { beforeAll, describe, expect, it } from "vitest";
import { loadTerminalView } from "../../framework/runner/progress-view.ts";
import { createSessionRenderer, finishedLine, launchedLine } from "../../framework/runner/render-session-event.ts";
import type { LaunchRunArgs } from "../../framework/runs/launch-run.ts";
import type { StatusJson } from "../../framework/runs/status-json.ts";

// How the chat REPL renders a session's events: on a terminal (streamed replies, the live
// progress block) and plain (one line per event), from hand-made event sequences.

const ARGS: LaunchRunArgs = { task: "Plan the API", agent_mode: "multi", planning_mode: false, execute_after_planning: false, context_paths: [], wait: true };

function status(phase: string, agents: string[]): StatusJson {
  return {
    meta: { elapsed_seconds: 1.5 },
    coordination: { phase, round: 1, completion_percentage: 40 },
    agents: Object.fromEntries(agents.map((id) => [id, { status: "working", answer_count: 0, latest_answer_label: null, vote: null, times_restarted: 0, tokens: { input: 10, output: 5, cached: 0 }, cost_usd: null, error: null }])),
    usage: { input_tokens: 20, output_tokens: 10, cached_tokens: 0, cost_usd: null, llm_calls: 2 },
  } as unknown as StatusJson;
}

function renderer(tty: boolean) {
  let text = "";
  const r = createSessionRenderer({ stream: { write: (s: string) => (text += s) }, tty, color: false, throttleMs: 0 });
  return { r, text: () => text };
}

describe("launchedLine() and finishedLine()", () => {
  it("name the mode, the agents and the task; the status, winner, cost and time", () => {
    expect(launchedLine("r1", "Plan the API", ARGS)).toBe("[run r1] multi · all agents · Plan the API");
    expect(launchedLine("r1", "Plan the API\nin detail", { ...ARGS, refinement: false, agents: ["alpha", "beta"] })).toBe("[run r1] multi, no refinement · alpha, beta · Plan the API …");
    expect(launchedLine("r1", "x", { ...ARGS, planning_mode: true, execute_after_planning: true })).toBe("[run r1] planning then execute · all agents · x");
    expect(launchedLine("r1", "x", { ...ARGS, agent_mode: "single" })).toBe("[run r1] single agent · the config's first agent · x");
    const result = { run_id: "r1", status: "timeout", status_reason: "the run's deadline passed", winner: null, winner_reason: null, answer: null, files_changed: ["a.ts", "b.ts"], conflicts: [], cost_usd: null, elapsed_seconds: 185, log_dir: "/r1" };
    expect(finishedLine(result)).toBe("[run r1] timeout: the run's deadline passed · no winner · 2 files changed · n/a · 3 m 05 s");
  });
});

describe("createSessionRenderer()", () => {
  beforeAll(() => loadTerminalView());
  it("on a terminal streams the reply after `conclave> ` and ends its line at the message, without reprinting it", () => {
    const { r, text } = renderer(true);
    r.event({ type: "message.delta", text: "Hello, " });
    r.event({ type: "message.delta", text: "world." });
    r.event({ type: "message", role: "assistant", content: "Hello, world." });
    r.event({ type: "message", role: "assistant", content: "A second reply." });
    expect(text()).toBe("conclave> Hello, world.\nconclave> A second reply.\n");
  });

  it("plain, ignores deltas and prints one line per event; a run's progress only when its phase or round changes", () => {
    const { r, text } = renderer(false);
    r.event({ type: "message.delta", text: "Hel" });
    r.event({ type: "run.launched", run_id: "r1", log_dir: "/r1", task: "Plan the API", args: ARGS });
    r.event({ type: "run.launched", run_id: "r1", log_dir: "/r1", task: "Plan the API", args: ARGS });
    const steps = [["generation", "generation · 10%"], ["generation", "generation · 20%"], ["voting", "voting · 40%"]] as const;
    for (const [phase, line] of steps) r.event({ type: "run.progress", run_id: "r1", status: status(phase, ["alpha"]), line });
    const result = { run_id: "r1", status: "completed", winner: "alpha", winner_reason: "2 of 3 votes", answer: "x", files_changed: [], conflicts: [], cost_usd: 0.5, elapsed_seconds: 2, log_dir: "/r1" };
    r.event({ type: "run.finished", run_id: "r1", result });
    r.event({ type: "run.finished", run_id: "r1", result });
    r.event({ type: "compacted", upto: 40, summary: "…" });
    r.event({ type: "notice", line: "Approved (--yes): Plan the API, estimate $0.0100." });
    r.event({ type: "message", role: "assistant", content: "Planned.\n" });
    expect(text().split("\n")).toEqual([
      "[run r1] multi · all agents · Plan the API",
      "[run r1] generation · 10%",
      "[run r1] voting · 40%",
      "[run r1] completed · winner alpha (2 of 3 votes) · $0.5000 · 2.0 s",
      "(older messages summarised to keep the context small: the first 40 are in the summary, and all stay on disk)",
      "Approved (--yes): Plan the API, estimate $0.0100.",
      "conclave> Planned.",
      "",
    ]);
  });

  it("on a terminal draws a run's progress block and leaves its last state once, above the run's end line", () => {
    const { r, text } = renderer(true);
    r.event({ type: "run.progress", run_id: "r1", status: status("generation", ["alpha", "beta"]), line: "" });
    r.print("Noted for the running run: use port 8080");
    r.event({ type: "run.progress", run_id: "r1", status: status("voting", ["alpha", "beta"]), line: "" });
    r.event({ type: "run.finished", run_id: "r1", result: { run_id: "r1", status: "completed", winner: "beta", winner_reason: "2 of 2 votes", answer: "x", files_changed: [], conflicts: [], cost_usd: 0, elapsed_seconds: 1, log_dir: "/r1" } });
    // What a terminal shows once the escape codes are played (log-update erases with ESC[2K, a line up with ESC[1A).
    const screen: string[] = [""];
    let row = 0;
    for (const part of text().split(/(\x1b\[[0-9;?]*[A-Za-z]|\n)/)) {
      if (part === "\n") screen[++row] ??= "";
      else if (part === "\x1b[2K") screen[row] = "";
      else if (part === "\x1b[1A") row--;
      else if (!part.startsWith("\x1b")) screen[row] += part;
    }
    const shown = screen.filter((l) => l !== "");
    expect(shown[0]).toBe("Noted for the running run: use port 8080");
    expect(shown.filter((l) => l.startsWith("conclave  "))).toEqual([expect.stringMatching(/^conclave {2}voting · round 1 · 40% /)]);
    expect(shown.at(-1)).toBe("[run r1] completed · winner beta (2 of 2 votes) · $0.0000 · 1.0 s");
  });
});
