import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeRun } from "../../framework/analysis/analyze-run.ts";
import { NotARunError } from "../../framework/analysis/not-a-run-error.ts";
import { ConfigError } from "../../framework/errors.ts";
import { budgetPressure, noveltyRejections } from "../fixtures/analysis/scenarios.ts";
import { cleanRuns, runScripted } from "../support/scripted-run.ts";

const temp = mkdtempSync(join(tmpdir(), "conclave-analysis-"));
afterAll(() => {
  cleanRuns();
  rmSync(temp, { recursive: true, force: true });
});

describe("analyzeRun()", () => {
  it("finds alpha's two refused near-copies, and recommends one answer per agent", async () => {
    const { result } = await runScripted(noveltyRejections());
    const report = await analyzeRun(result.log_dir);
    const found = report.findings.find((f) => f.kind === "novelty_rejections")!;
    expect(found).toMatchObject({ agents: ["alpha"], rounds: [2], summary: "2 new answers were refused as near-copies (alpha); 1 turn then failed." });
    expect(found.evidence[0]!.text).toBe("round 2: alpha's new answer was refused: 100% the same words as answer A (limit 0.9)");
    expect(report.recommendations).toContainEqual(expect.objectContaining({ change: "coordination.max_answers_per_agent: 1", set: { "coordination.max_answers_per_agent": 1 } }));
  });

  it("finds budget pressure when a run crosses its budget, naming the call that crossed it", async () => {
    const { result } = await runScripted(budgetPressure());
    expect(result.status).toBe("budget_exceeded");
    const report = await analyzeRun(result.log_dir);
    const found = report.findings.find((f) => f.kind === "budget_pressure")!;
    expect(found.severity).toBe("critical");
    expect(found.summary).toMatch(/^The run crossed its budget of \$0\.0020 \(spent \$0\.00\d\d\) and was stopped\.$/);
    expect(found.agents).toHaveLength(1);
    const rec = report.recommendations.find((r) => r.set?.["budget.usd"] !== undefined)!;
    expect(rec.set!["budget.usd"]).toBe(Math.ceil(report.metrics.cost_usd * 1.5 * 100) / 100);
  });

  it("throws a NotARunError naming the directory and the files it lacks", async () => {
    const dir = join(temp, "src");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "not a run");
    const error = await analyzeRun(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotARunError);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      path: dir,
      missing: ["run_description.json", "events.jsonl"],
      message: `\`${dir}\` is not a run directory: expected run_description.json and events.jsonl in it, run_description.json and events.jsonl are missing. Pass a run directory such as \`.conclave/runs/<run-id>\`.`,
    });
  });

  it("throws a NotARunError for a path that does not exist, and for a run_description.json that is not JSON", async () => {
    await expect(analyzeRun(join(temp, "nowhere"))).rejects.toThrow(`\`${join(temp, "nowhere")}\` does not exist: expected a run directory (with run_description.json and events.jsonl). Pass one such as \`.conclave/runs/<run-id>\`.`);
    const dir = join(temp, "broken");
    mkdirSync(dir);
    writeFileSync(join(dir, "run_description.json"), "{");
    writeFileSync(join(dir, "events.jsonl"), "");
    await expect(analyzeRun(dir)).rejects.toThrow(new RegExp(`^\`${dir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/run_description.json\` is not valid JSON \\(.+\\): this is not a run directory Conclave wrote\\.$`));
  });

  it("reports a run that has only begun (a description, no events yet) as running", async () => {
    const dir = join(temp, "20261202-000000-aaaaaaaaaaaa");
    mkdirSync(dir);
    writeFileSync(join(dir, "run_description.json"), JSON.stringify({ run_id: "20261202-000000-aaaaaaaaaaaa", task: "t", agents: [{ id: "alpha", backend: "scripted", model: "scripted" }], started_at: new Date().toISOString(), pid: process.pid, host: (await import("node:os")).hostname() }));
    writeFileSync(join(dir, "events.jsonl"), "");
    const report = await analyzeRun(dir);
    expect(report).toMatchObject({ run_id: "20261202-000000-aaaaaaaaaaaa", status: "running", winner: null, findings: [], metrics: { rounds: 0, calls: 0, duration_s: 0 } });
  });
});
