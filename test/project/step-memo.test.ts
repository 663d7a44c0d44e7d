import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../framework/errors.ts";
import { openProject } from "../../framework/project/open-project.ts";
import type { RunResult } from "../../framework/runs/run-result.ts";
import { tempDir, thrownBy } from "./temp-dir.ts";

const project = openProject(join(tempDir(), "demo"), { create: true });
const stepsDir = join(project.runsDir, "steps");

const result: RunResult = {
  run_id: "20250101-000000-abcdef012345",
  status: "completed",
  winner: "alpha",
  winner_reason: "2 of 3 votes",
  answer: "Use Redis.",
  votes: { "alpha.1": 2, "beta.1": 1 },
  answers: [{ version: "alpha.1", agent: "alpha", label: "A", round: 1 }],
  agents: {},
  usage: { input_tokens: 10, output_tokens: 5, cached_tokens: 0, cost_usd: 0.001, llm_calls: 3 },
  log_dir: "/tmp/run",
  final_answer_path: null,
  started_at: "2025-01-01T00:00:00.000Z",
  elapsed_seconds: 1.5,
};

describe("project.memo", () => {
  it("returns undefined for a step it has not seen", () => {
    expect(project.memo.get("0123456789abcdef01234567")).toBeUndefined();
  });

  it("keeps a result in runs/steps/<key>.json with its inputs and gives it back", () => {
    project.memo.put("0123456789abcdef01234567", { result, inputs: { task: "Plan", options: { mode: "single" } } });
    expect(readdirSync(stepsDir)).toEqual(["0123456789abcdef01234567.json"]);
    expect(JSON.parse(readFileSync(join(stepsDir, "0123456789abcdef01234567.json"), "utf8"))).toEqual({
      key: "0123456789abcdef01234567",
      inputs: { task: "Plan", options: { mode: "single" } },
      result,
    });
    expect(project.memo.get("0123456789abcdef01234567")).toEqual(result);
  });

  it("replaces an entry put again under the same key", () => {
    project.memo.put("plan", { result, inputs: 1 });
    project.memo.put("plan", { result: { ...result, answer: "Use an LRU." }, inputs: 2 });
    expect(project.memo.get("plan")?.answer).toBe("Use an LRU.");
  });

  it("treats an unreadable entry as a step not yet done", () => {
    writeFileSync(join(stepsDir, "torn.json"), '{"result": {"run_');
    writeFileSync(join(stepsDir, "odd.json"), '{"result": 42}');
    expect(project.memo.get("torn")).toBeUndefined();
    expect(project.memo.get("odd")).toBeUndefined();
  });

  it("forgets every step on clear()", () => {
    project.memo.clear();
    expect(existsSync(stepsDir)).toBe(false);
    expect(project.memo.get("plan")).toBeUndefined();
    expect(readdirSync(project.runsDir)).toEqual([".gitignore"]);
  });

  it.each(["../index", "a/b", "", "x".repeat(129), "name with space", "..\\evil"])("refuses the key %j, which could name another file", (key) => {
    for (const use of [() => project.memo.get(key), () => project.memo.put(key, { result, inputs: null })]) {
      const error = thrownBy(use);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe(
        `step key ${JSON.stringify(key)} is not valid: expected 1 to 128 letters, digits, \`.\`, \`_\` or \`-\`. Use stepKey() to make one, or give the step such an \`id\`.`,
      );
    }
    expect(existsSync(stepsDir)).toBe(false);
  });
});
