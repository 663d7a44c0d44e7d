import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeProject } from "../../framework/analysis/analyze-project.ts";
import { SimulatedClock } from "../../framework/clock.ts";
import { run } from "../../framework/runs/run.ts";
import { cleanConsensus, costHotspot, slowAgent } from "../fixtures/analysis/scenarios.ts";

const temp = mkdtempSync(join(tmpdir(), "conclave-analysis-project-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("analyzeProject()", () => {
  it("sums cost, time and calls by workflow step, the costliest first, and lists the runs not finished", async () => {
    const project = join(temp, "demo");
    const runsDir = join(project, "runs");
    const step = async (config: ReturnType<typeof cleanConsensus>, id: string) =>
      run({ task: "Design a cache for the API", config, runsDir, clock: new SimulatedClock(), env: {}, id, description: { workflow: "feature", step: id } });
    const plan1 = await step(cleanConsensus(), "plan");
    const plan2 = await step(slowAgent(), "plan");
    const review = await step(costHotspot(), "review");
    // A run whose process went away before it finished.
    const lost = await step(cleanConsensus(), "review");
    rmSync(join(lost.log_dir, "result.json"));
    const status = JSON.parse(readFileSync(join(lost.log_dir, "status.json"), "utf8"));
    Object.assign(status.results, { status: "running", winner: null });
    status.meta.pid = 2 ** 22 + 17;
    writeFileSync(join(lost.log_dir, "status.json"), JSON.stringify(status));
    mkdirSync(join(runsDir, "steps"), { recursive: true }); // the step memo: not a run

    const report = await analyzeProject(project);
    expect(report.project_dir).toBe(project);
    expect(report.runs.map((r) => r.run_id).sort()).toEqual([plan1.run_id, plan2.run_id, review.run_id, lost.run_id].sort());
    const line = (id: string) => report.runs.find((r) => r.run_id === id)!;
    expect(line(plan2.run_id)).toMatchObject({ step: "plan", workflow: "feature", status: "completed", findings: ["slow_agent"], calls: 7 });
    expect(line(review.run_id)).toMatchObject({ step: "review", findings: ["cost_hotspot"], cost_usd: review.usage.cost_usd });
    expect(line(lost.run_id).status).toBe("abandoned");
    expect(report.steps.map((s) => [s.step, s.runs])).toEqual([["review", 2], ["plan", 2]]);
    expect(report.steps[1]!.duration_s).toBeCloseTo(plan1.elapsed_seconds + plan2.elapsed_seconds, 1);
    expect(report.totals).toMatchObject({ runs: 4, calls: 28, cost_usd: review.usage.cost_usd });
    expect(report.unfinished).toEqual([lost.run_id]);
  });

  it("groups a workflow's runs by the step as the workflow names it, not by its step key, which changes with CONTEXT.md", async () => {
    const project = join(temp, "keyed");
    const runsDir = join(project, "runs");
    // As workflow() starts a step: its key (a hash of its inputs) as the id, its label in the description.
    const step = async (key: string) =>
      run({ task: "Design a cache for the API", config: cleanConsensus(), runsDir, clock: new SimulatedClock(), env: {}, id: key, description: { workflow: "feature", step: "1. plan: Design a cache for the API", step_key: key } });
    await step("0123456789abcdef01234567");
    await step("fedcba9876543210fedcba98"); // the same step after an edit of CONTEXT.md
    const report = await analyzeProject(project);
    expect(report.steps.map((s) => [s.step, s.runs])).toEqual([["1. plan: Design a cache for the API", 2]]);
  });

  it("throws a NotARunError for a directory with no runs/", async () => {
    const dir = join(temp, "empty");
    mkdirSync(dir);
    await expect(analyzeProject(dir)).rejects.toThrow(`\`${dir}\` is not a project: expected a \`runs/\` directory in it (projects/<name>/runs/<run-id>/), found none. Pass a project directory such as \`projects/demo\`, or a run directory.`);
  });
});
