import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, readJson, removeDir, writeConfig } from "../support/cli-process.ts";
import { copyDemoProject, startWorkflow } from "../support/workflow-process.ts";

// A workflow process whose agent is inside a search_files call that would backtrack for
// minutes: Ctrl+C (SIGINT) still ends it at once, because the search runs off the main thread.

const ONE_EXECUTE = "test/fixtures/workflows/one-execute.ts";
const SLOW_SEARCH = `agents:
  - id: alpha
    backend:
      type: scripted
      latency_ms: 20
      script:
        - { tool: write_file, args: { path: deliverables/slow.txt, content: "${"a".repeat(30)}!" } }
        - { tool: search_files, args: { pattern: "/^(a+)+$/", path: deliverables } }
        - { answer: "searched" }
coordination:
  timeouts: { run: 60, generation: 30, voting: 30, presentation: 30, call: 30, idle: 30 }
`;

let tmp: string;
beforeEach(() => {
  tmp = makeTempDir("conclave-interrupt-");
});
afterEach(() => removeDir(tmp));

describe("Ctrl+C during a slow search_files", () => {
  it("ends the workflow process within 1 s with exit code 4 and the run interrupted", async () => {
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "team.yaml", SLOW_SEARCH);
    const proc = startWorkflow(ONE_EXECUTE, ["--project", project, "--config", config, "--automation", "--fresh"], { timeoutMs: 30_000 });
    const logDir = (await proc.waitForLine(/^LOG_DIR: /, 15_000)).slice("LOG_DIR: ".length);
    // Wait (bounded) until write_file is journalled: the search starts right after it.
    const events = join(logDir, "events.jsonl");
    for (let i = 0; i < 500 && !(existsSync(events) && readFileSync(events, "utf8").includes('"name":"write_file"')); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readFileSync(events, "utf8")).toContain('"name":"write_file"');
    await new Promise((r) => setTimeout(r, 300)); // well into the search, which alone would take minutes
    const sentAt = Date.now();
    proc.child.kill("SIGINT");
    const outcome = await proc.exited;
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(outcome.code).toBe(4);
    expect(readJson<{ status: string }>(join(logDir, "result.json")).status).toBe("interrupted");
    expect(readJson<{ results: { status: string } }>(join(logDir, "status.json")).results.status).toBe("interrupted");
  });
});
