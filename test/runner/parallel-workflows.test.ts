import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listFiles, makeTempDir, readJson, removeDir, writeConfig } from "../support/cli-process.ts";
import { copyDemoProject, runDirs, startWorkflow } from "../support/workflow-process.ts";

// Ten processes of workflows/feature.ts --fresh on one project at once (issue 8: some failed with
// ENOENT copying another's temp file, and a deliverable was lost to another's write-back).

const PROCESSES = 10;
// The scripted plan has three steps, each executed and verified: 7 runs per workflow.
const RUNS_PER_WORKFLOW = 7;

// The offline config with no latency, so ten workflows stay quick on a small machine.
const CONFIG = `agents:
  - { id: alpha, backend: { type: scripted, latency_ms: 0 } }
  - { id: beta, backend: { type: scripted, latency_ms: 0 } }
  - { id: gamma, backend: { type: scripted, latency_ms: 0 } }
coordination:
  max_rounds: 4
  timeouts: { run: 600, generation: 120, voting: 120, presentation: 120, call: 90, idle: 30 }
`;

interface ResultFile {
  status: string;
  winner: string | null;
  changes?: { files: string[]; written_back: boolean; merged: string[]; conflicts: string[] };
}

const tmp = makeTempDir("conclave-parallel-");
afterAll(() => removeDir(tmp));

describe("ten workflows on one project at once", () => {
  it("all exit 0, every deliverable is there, nobody's write-back is lost, and runs/index.json holds every run", async () => {
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "fast.yaml", CONFIG);
    const children = Array.from({ length: PROCESSES }, () =>
      startWorkflow("workflows/feature.ts", ["--project", project, "--config", config, "--dry-run", "--fresh", "--automation"], { timeoutMs: 110_000 }),
    );
    const outcomes = await Promise.all(children.map((c) => c.exited));
    for (const outcome of outcomes) expect(outcome.code, `stdout:\n${outcome.stdout}\nstderr:\n${outcome.stderr}`).toBe(0);
    for (const outcome of outcomes) expect(outcome.stdout.trimEnd().split("\n").at(-1)).toBe("WORKFLOW: completed");

    const deliverables = join(project, "deliverables");
    expect(listFiles(deliverables).filter((f) => f !== ".gitkeep").sort()).toEqual([
      "add-websocket-support-to-the-api-server-step-1.md",
      "add-websocket-support-to-the-api-server-step-2.md",
      "add-websocket-support-to-the-api-server-step-3.md",
      "summary.md",
    ]);
    expect(readFileSync(join(deliverables, "summary.md"), "utf8")).toMatch(/^# WebSocket support\n/);

    // runs/index.json is whole and lists every run once; no lock or temp file is left behind.
    const index = readJson<{ runs: { run_id: string; log_dir: string; status: string }[] }>(join(project, "runs", "index.json"));
    expect(index.runs).toHaveLength(PROCESSES * RUNS_PER_WORKFLOW);
    expect(new Set(index.runs.map((r) => r.run_id)).size).toBe(PROCESSES * RUNS_PER_WORKFLOW);
    expect(index.runs.every((r) => r.status === "completed")).toBe(true);
    expect(runDirs(project)).toEqual(index.runs.map((r) => r.run_id).sort());
    expect(readdirSync(join(project, "runs")).filter((f) => !runDirs(project).includes(f)).sort()).toEqual([".staging", "index.json", "steps"]);
    expect(readdirSync(join(project, "runs", ".staging"))).toEqual([]);
    expect(listFiles(deliverables).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // Nothing an execute run's winner wrote is lost: each file it changed is in the project, and
    // a conflict keeps the winner's version; each deliverable's content is one a winner wrote.
    let executes = 0;
    const written = new Map<string, Set<string>>();
    for (const run of index.runs) {
      const result = readJson<ResultFile & { changes?: { reason?: string } }>(join(run.log_dir, "result.json"));
      if (!result.changes) continue;
      executes++;
      // A winner that wrote what an earlier run had already written back changed nothing.
      if (!result.changes.written_back) expect(result.changes).toMatchObject({ reason: "no changes", files: [] });
      for (const file of result.changes.files) {
        const winners = readFileSync(join(run.log_dir, "agents", result.winner!, "workspace", file), "utf8");
        written.set(file, (written.get(file) ?? new Set()).add(winners));
        expect(existsSync(join(project, file)), file).toBe(true);
        if (result.changes.conflicts.includes(file)) expect(readFileSync(join(run.log_dir, "final", result.winner!, "conflicts", file), "utf8")).toBe(winners);
      }
    }
    expect(executes).toBe(PROCESSES * 3);
    expect([...written.keys()].sort()).toEqual([1, 2, 3].map((n) => `deliverables/add-websocket-support-to-the-api-server-step-${n}.md`));
    for (const [file, versions] of written) expect(versions).toContain(readFileSync(join(project, file), "utf8"));
  }, 120_000);
});
