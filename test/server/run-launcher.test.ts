import { describe, expect, it } from "vitest";
import { parseLaunchRun } from "../../framework/runs/launch-run.ts";
import { createRunLauncher } from "../../framework/server/run-launcher.ts";
import { tempDir } from "../project/temp-dir.ts";
import { scripted } from "../support/scripted-run.ts";

const args = (input: unknown) => {
  const parsed = parseLaunchRun(input);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.args;
};

describe("createRunLauncher()", () => {
  it("carries out a completed plan in a second run, and the launch's result is the execute run's", async () => {
    const config = { agents: [scripted("alpha", { latency_ms: 5 })], coordination: { max_rounds: 1 } };
    const launcher = createRunLauncher({ config, env: {}, runsDir: tempDir("conclave-launcher-") });
    const started: string[] = [];
    const launched = await launcher.launch(args({ task: "Plan the cache", agent_mode: "single", planning_mode: true, execute_after_planning: true }), { onRun: (r) => started.push(r.runId) });
    const result = await launched.done;
    expect(result.status).toBe("completed");
    expect(started).toEqual([result.run_id]);
    expect(result.run_id).not.toBe(launched.runId);
    expect(launcher.status(launched.runId)).toMatchObject({ running: false, execute_run_id: result.run_id, result: { status: "completed" } });
    expect(launcher.runs().map((r) => r.run_id)).toEqual([launched.runId, result.run_id]);
    expect(launcher.running()).toEqual([]);
  });

  it("refuses bad options before starting anything, and cancels a running run on request", async () => {
    const config = { agents: [scripted("slow", { hang: true })] };
    const launcher = createRunLauncher({ config, env: {}, runsDir: tempDir("conclave-launcher-") });
    await expect(launcher.launch(args({ task: "x", agents: ["nobody"] }))).rejects.toThrow("unknown agent `nobody` in `agents`; the config has slow");
    const launched = await launcher.launch(args({ task: "Wait", agent_mode: "single" }));
    expect(launcher.running()).toEqual([launched.runId]);
    expect(launcher.cancel(launched.runId, "not needed")).toBe(true);
    const result = await launched.done;
    expect(result).toMatchObject({ status: "cancelled", status_reason: "cancelled: not needed" });
    expect(launcher.cancel(launched.runId)).toBe(false);
  });
});
