import { spawnSync } from "node:child_process";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findAbandonedRun } from "../../framework/runs/find-abandoned-run.ts";
import { tempDir } from "../project/temp-dir.ts";

// A pid that was there and is gone: a child that ran and exited.
const gonePid = spawnSync(process.execPath, ["-e", ""]).pid;

function runOf(runsDir: string, runId: string, fields: { stepKey: string; pid: number; finished?: boolean | string; ageS: number }): string {
  const dir = join(runsDir, runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run_description.json"), JSON.stringify({ run_id: runId, task: "t", step_key: fields.stepKey, pid: fields.pid, host: hostname(), started_at: new Date().toISOString() }));
  if (fields.finished) writeFileSync(join(dir, "result.json"), JSON.stringify({ run_id: runId, status: fields.finished === true ? "completed" : fields.finished }));
  const at = new Date(Date.now() - fields.ageS * 1000);
  utimesSync(dir, at, at);
  return dir;
}

describe("findAbandonedRun()", () => {
  it("finds the step's newest run when it did not finish and its process is gone", () => {
    const runsDir = tempDir("conclave-abandoned-");
    runOf(runsDir, "r-old", { stepKey: "plan-1", pid: gonePid, ageS: 60 });
    const newest = runOf(runsDir, "r-new", { stepKey: "plan-1", pid: gonePid, ageS: 1 });
    runOf(runsDir, "r-other", { stepKey: "verify-2", pid: gonePid, ageS: 0 });
    expect(findAbandonedRun(runsDir, "plan-1")).toEqual({ dir: newest, runId: "r-new", reason: `its process (pid ${gonePid} on ${hostname()}) is gone`, interrupted: false });
  });

  it("finds the step's newest run when it was interrupted (SIGINT, SIGTERM, SIGHUP) and its process is gone; not one that failed or timed out", () => {
    const runsDir = tempDir("conclave-abandoned-");
    const interrupted = runOf(runsDir, "r-int", { stepKey: "plan-1", pid: gonePid, finished: "interrupted", ageS: 1 });
    runOf(runsDir, "r-fail", { stepKey: "verify-2", pid: gonePid, finished: "failed", ageS: 1 });
    runOf(runsDir, "r-time", { stepKey: "execute-3", pid: gonePid, finished: "timeout", ageS: 1 });
    expect(findAbandonedRun(runsDir, "plan-1")).toEqual({ dir: interrupted, runId: "r-int", reason: "interrupted", interrupted: true });
    expect([findAbandonedRun(runsDir, "verify-2"), findAbandonedRun(runsDir, "execute-3")]).toEqual([undefined, undefined]);
  });

  it("finds none when the step's newest run finished, or is still going, or the step has no run", () => {
    const runsDir = tempDir("conclave-abandoned-");
    runOf(runsDir, "r1", { stepKey: "plan-1", pid: gonePid, ageS: 60 });
    runOf(runsDir, "r2", { stepKey: "plan-1", pid: gonePid, finished: true, ageS: 1 });
    runOf(runsDir, "r3", { stepKey: "verify-2", pid: process.pid, ageS: 1 });
    expect([findAbandonedRun(runsDir, "plan-1"), findAbandonedRun(runsDir, "verify-2"), findAbandonedRun(runsDir, "execute-3")]).toEqual([undefined, undefined, undefined]);
  });
});
