import { describe, expect, it } from "vitest";
import { ANSWER_CHARS, LAUNCH_RUN_SCHEMA, launchRunOptions, launchRunResult, parseLaunchRun } from "../../framework/runs/launch-run.ts";
import type { RunResult } from "../../framework/runs/run-result.ts";

describe("the launch_run schema", () => {
  it("has every contract parameter, each with its default", () => {
    expect(Object.keys(LAUNCH_RUN_SCHEMA.shape).sort()).toEqual(
      ["agent_mode", "agent_system_prompts", "agents", "context", "context_paths", "coordination_overrides", "execute_after_planning", "planning_mode", "refinement", "task", "wait"].sort(),
    );
    expect(parseLaunchRun({ task: "Plan the cache" })).toEqual({
      ok: true,
      args: { task: "Plan the cache", agent_mode: "multi", planning_mode: false, execute_after_planning: false, context_paths: [], wait: true },
    });
  });

  it("defaults refinement to true for multi and false for single", () => {
    const multi = parseLaunchRun({ task: "x" });
    const single = parseLaunchRun({ task: "x", agent_mode: "single" });
    expect(multi.ok && launchRunOptions(multi.args).refinement).toBe(true);
    expect(single.ok && launchRunOptions(single.args).refinement).toBe(false);
    const independent = parseLaunchRun({ task: "x", refinement: false });
    expect(independent.ok && launchRunOptions(independent.args)).toEqual({ task: "x", agent_mode: "multi", refinement: false });
  });

  it("names the field of a bad argument", () => {
    expect(parseLaunchRun({ task: "x", agent_mode: "solo" })).toEqual({ ok: false, error: 'launch_run `agent_mode`: Invalid option: expected one of "single"|"multi"' });
    expect(parseLaunchRun({})).toEqual({ ok: false, error: "launch_run `task` is required: say what the agents should do" });
    // Given, but not a string: said so, not "required".
    expect(parseLaunchRun({ task: 42 })).toEqual({ ok: false, error: "launch_run `task` must be a string, got the number 42: say what the agents should do" });
    expect(parseLaunchRun({ task: ["a"] })).toEqual({ ok: false, error: "launch_run `task` must be a string, got a list: say what the agents should do" });
    expect(parseLaunchRun({ task: "x", context_paths: [{ path: "src", permission: "all" }] })).toMatchObject({ ok: false, error: expect.stringMatching(/^launch_run `context_paths\.0\.permission`: /) });
    expect(parseLaunchRun({ task: "x", planning: true })).toMatchObject({ ok: false, error: expect.stringMatching(/^launch_run `planning`: /) });
    // coordination_overrides never takes context_paths or agent_system_prompts.
    expect(parseLaunchRun({ task: "x", coordination_overrides: { context_paths: [] } })).toMatchObject({ ok: false, error: expect.stringMatching(/coordination_overrides/) });
  });
});

describe("launchRunResult()", () => {
  const result = (answer: string | null): RunResult => ({
    run_id: "r1",
    status: "completed",
    winner: "alpha",
    winner_reason: "2 of 3 votes",
    answer,
    votes: {},
    answers: [],
    agents: {},
    usage: { input_tokens: 10, output_tokens: 5, cached_tokens: 0, cost_usd: 0.25, llm_calls: 7 },
    log_dir: "/runs/r1",
    final_answer_path: "/runs/r1/final/alpha/answer.txt",
    changes: { patch_path: "/runs/r1/final/alpha/changes.patch", files: ["deliverables/a.md"], written_back: true, merged: [], conflicts: ["deliverables/b.md"] },
    started_at: "2026-12-02T00:00:00.000Z",
    elapsed_seconds: 3.5,
  });

  it("is the compact shape of the contract", () => {
    expect(launchRunResult(result("Short."))).toEqual({
      run_id: "r1",
      status: "completed",
      winner: "alpha",
      winner_reason: "2 of 3 votes",
      answer: "Short.",
      files_changed: ["deliverables/a.md"],
      conflicts: ["deliverables/b.md"],
      cost_usd: 0.25,
      elapsed_seconds: 3.5,
      log_dir: "/runs/r1",
    });
  });

  it("clips a long answer at 2,000 characters and names the file with the whole", () => {
    const answer = launchRunResult(result("y".repeat(5000))).answer!;
    expect(answer).toBe(`${"y".repeat(ANSWER_CHARS)}…\n(the whole answer: /runs/r1/final/alpha/answer.txt)`);
  });
});
