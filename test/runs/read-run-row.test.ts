import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunRow } from "../../framework/runs/read-run-row.ts";
import { tempDir } from "../project/temp-dir.ts";
import { handMadeRun } from "../support/hand-made-run.ts";

describe("readRunRow()", () => {
  it("reads a finished run from result.json, one before its first status as starting, and one whose process on this host is gone as abandoned", () => {
    const root = tempDir("conclave-row-");
    const finished = handMadeRun(root);
    finished.finish();
    expect(readRunRow(finished.dir)).toMatchObject({ run_id: finished.runId, status: "completed", winner: "beta", cost_usd: 0.04, elapsed_seconds: 1.5, log_dir: finished.dir, task: "Design a cache for the API" });
    const starting = handMadeRun(root);
    expect(readRunRow(starting.dir)).toMatchObject({ run_id: starting.runId, status: "starting", winner: null, cost_usd: null, elapsed_seconds: 0 });
    const gone = handMadeRun(root);
    const description = join(gone.dir, "run_description.json");
    writeFileSync(description, JSON.stringify({ task: "Gone", started_at: "2026-12-02T09:00:00.000Z", pid: 2 ** 22 + 17, host: hostname() }));
    expect(readRunRow(gone.dir)).toMatchObject({ status: "abandoned", task: "Gone", started_at: "2026-12-02T09:00:00.000Z" });
  });
});
