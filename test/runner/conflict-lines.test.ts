import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { createAutomationOutput } from "../../framework/runner/automation-output.ts";
import { conflictLines } from "../../framework/runner/conflict-lines.ts";
import { createProgressView } from "../../framework/runner/progress-view.ts";
import { summaryTable } from "../../framework/runner/summary-table.ts";
import { run } from "../../framework/runs/run.ts";
import type { RunResult } from "../../framework/runs/run-result.ts";

const root = mkdtempSync(join(tmpdir(), "conclave-conflict-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A real run whose winner rewrote plan.md while the user rewrote it too: a write-back conflict.
let result: RunResult;
beforeAll(async () => {
  const project = openProject(join(root, "proj"), { create: true });
  mkdirSync(project.deliverablesDir, { recursive: true });
  writeFileSync(join(project.deliverablesDir, "plan.md"), "draft\n");
  const config: ConfigInput = {
    agents: [{ id: "alpha", backend: { type: "scripted", latency_ms: 5, script: [{ tool: "write_file", args: { path: "deliverables/plan.md", content: "alpha's plan\n" } }, { answer: "rewrote plan.md" }] } }],
    coordination: { max_rounds: 1, timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 20 } },
  };
  result = await run({
    task: "Plan",
    project,
    config,
    agent_mode: "single",
    context_paths: [{ path: "deliverables", permission: "write" }],
    env: {},
    onEvent: (e) => e.type === "run.agent.tool_call" && writeFileSync(join(project.deliverablesDir, "plan.md"), "the user's plan\n"),
  });
});

const kept = () => join(result.log_dir, "final", "alpha", "conflicts", "deliverables", "plan.md");

describe("conflictLines()", () => {
  it("says which file was left alone and where the winner's version is", () => {
    expect(result.changes?.conflicts).toEqual(["deliverables/plan.md"]);
    expect(conflictLines(result)).toEqual([
      `Conflict: deliverables/plan.md changed in the project during the run too and was left as it is; the winner's version is ${kept()}. Merge it by hand.`,
    ]);
  });

  it("says nothing for a run without conflicts", () => {
    expect(conflictLines({ ...result, changes: { ...result.changes!, conflicts: [] } })).toEqual([]);
    expect(conflictLines({ ...result, changes: undefined })).toEqual([]);
  });
});

describe("createAutomationOutput()", () => {
  it("prints a Conflict: line per file after Final answer:", () => {
    const lines: string[] = [];
    const out = createAutomationOutput((line) => lines.push(line));
    out.finish(result);
    expect(lines).toEqual([
      "Phase: finalization (100%)",
      "Winner: alpha (single agent)",
      `Final answer: ${result.final_answer_path}`,
      `Conflict: deliverables/plan.md (left as it is; the winner's version: ${kept()})`,
      `Elapsed: ${result.elapsed_seconds} seconds`,
    ]);
  });
});

describe("createProgressView()", () => {
  it("ends with the conflict line", () => {
    let text = "";
    const view = createProgressView({ stream: { write: (s: string) => (text += s) }, tty: false, color: false });
    view.finish(result);
    expect(text.trimEnd().split("\n").at(-1)).toBe(conflictLines(result)[0]);
  });
});

describe("summaryTable()", () => {
  it("lists each step's conflicts under the table", () => {
    const row = { step: "2. execute: Plan", status: "completed", winner: "alpha", tokens: 10, cost_usd: 0, seconds: 1, remembered: false };
    const table = summaryTable([row, { ...row, step: "3. execute: Again", conflicts: [{ path: "deliverables/plan.md", kept: kept() }] }]);
    expect(table.split("\n").slice(-2)).toEqual(["", `conflict: 3. execute: Again: deliverables/plan.md was left as it is; the winner's version is ${kept()}`]);
    expect(summaryTable([row]).split("\n").at(-1)).toMatch(/^total/);
  });
});
