import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listFiles, makeTempDir, readJson, removeDir, REPO, runCli, writeConfig, type CliOutcome } from "../support/cli-process.ts";
import {
  copyDemoProject,
  fileContents,
  lineOf,
  memoFiles,
  runDirs,
  runIndex,
  runWorkflow,
  startWorkflow,
  summaryRows,
  type SummaryRow,
} from "../support/workflow-process.ts";

// workflow() end to end: the example and fixture workflow scripts run as child processes from the
// repository root, each on a fresh copy of projects/demo, offline (--dry-run or scripted configs).

const FEATURE = "workflows/feature.ts";
const FIXTURES = "test/fixtures/workflows";
const ESC = "\x1b";

// The scripted plan has three steps (sample data fills the plan schema's array with three items);
// each is executed and verified, and the scripted verdict passes, so no fix step runs.
const PLANNED_STEPS = 3;
const FEATURE_STEPS = 1 + 2 * PLANNED_STEPS;

interface ResultFile {
  status: string;
  status_reason?: string;
  winner: string | null;
  winner_reason: string | null;
  final_answer_path: string | null;
  elapsed_seconds: number;
  data?: unknown;
  changes?: { patch_path: string; files: string[]; written_back: boolean; reason?: string; merged: string[]; conflicts: string[] };
}

interface DescriptionFile {
  workflow?: string;
  step?: string;
  step_key?: string;
  options: { agent_mode: string };
}

// One quick scripted agent, and a one-run workflow a user might keep in their own repository.
const FAST = "agents:\n  - id: alpha\n    backend: { type: scripted, latency_ms: 5 }\n";
const SCRATCH_WORKFLOW = `import { workflow } from ${JSON.stringify(join(REPO, "framework", "index.ts"))};\n\nawait workflow("research", async ({ run }) => {\n  await run({ task: "Name one risk of moving the API to HTTP/3" });\n});\n`;

const resultOf = (logDir: string) => readJson<ResultFile>(join(logDir, "result.json"));
const descriptionOf = (logDir: string) => readJson<DescriptionFile>(join(logDir, "run_description.json"));
const isExecute = (logDir: string) => /^\d+\. execute: /.test(descriptionOf(logDir).step ?? "");

function expectCompleted(outcome: CliOutcome): void {
  expect(outcome.code, `stderr:\n${outcome.stderr}`).toBe(0);
}

describe("workflows/feature.ts --dry-run", () => {
  let tmp: string;
  let project: string;
  let first: CliOutcome;
  beforeAll(async () => {
    tmp = makeTempDir("conclave-workflow-");
    project = copyDemoProject(tmp);
    first = await runWorkflow(FEATURE, ["--project", project, "--dry-run"]);
  });
  afterAll(() => removeDir(tmp));

  it("exits 0 and prints the summary table with one completed row per step", () => {
    expectCompleted(first);
    const rows = summaryRows(first.stdout);
    expect(rows.map((r) => r.step.replace(/:.*$/, ""))).toEqual([
      "1. plan",
      "2. execute",
      "3. verify",
      "4. execute",
      "5. verify",
      "6. execute",
      "7. verify",
    ]);
    expect(rows.map((r) => r.status)).toEqual(Array(FEATURE_STEPS).fill("completed"));
    expect(first.stdout).toMatch(new RegExp(`^total\\s{2,}${FEATURE_STEPS} steps\\s`, "m"));
  });

  it("records every run in runs/index.json, in step order, one run directory each", () => {
    const index = runIndex(project);
    expect(index).toHaveLength(FEATURE_STEPS);
    expect(index.map((e) => e.log_dir).sort()).toEqual(runDirs(project).map((d) => join(project, "runs", d)));
    const rows = summaryRows(first.stdout);
    index.forEach((entry, i) => {
      expect(entry.workflow).toBe("feature");
      expect(entry.status).toBe("completed");
      expect(entry.winner).toBe(rows[i]!.winner);
      expect(descriptionOf(entry.log_dir).step).toBe(rows[i]!.step);
      expect(resultOf(entry.log_dir).status).toBe("completed");
    });
    const plan = resultOf(index[0]!.log_dir).data as { steps: { title: string; task: string }[] };
    expect(plan.steps).toHaveLength(PLANNED_STEPS);
  });

  // Bug: RunIndexEntry.step is documented as "its explicit id or its step key"
  // (framework/project/run-index.ts:26), but run() records `step` only for an explicit `id`
  // (framework/runs/run.ts:206); the workflow's step key goes to run_description.json only, so
  // none of feature.ts's index entries say which step they belong to.
  it("records each run's step key in runs/index.json", () => {
    for (const entry of runIndex(project)) expect(entry.step).toBe(descriptionOf(entry.log_dir).step_key);
  });

  it("writes summary.md and each execute step's files under deliverables/", () => {
    const deliverables = join(project, "deliverables");
    const index = runIndex(project);
    const plan = resultOf(index[0]!.log_dir).data as { steps: { title: string }[] };
    const executes = index.filter((e) => isExecute(e.log_dir));
    expect(executes).toHaveLength(PLANNED_STEPS);
    const lines = plan.steps.map((s, i) => `- ${s.title}: completed (winner ${executes[i]!.winner})`);
    const summary = readFileSync(join(deliverables, "summary.md"), "utf8");
    expect(summary.startsWith("# WebSocket support\n\n## Plan\n\n")).toBe(true);
    expect(summary.endsWith(`## Steps\n\n${lines.join("\n")}\n`)).toBe(true);

    const written = executes.flatMap((e) => resultOf(e.log_dir).changes!.files);
    expect(new Set(written).size).toBe(PLANNED_STEPS);
    for (const file of written) {
      expect(file.startsWith("deliverables/")).toBe(true);
      expect(statSync(join(project, file)).size).toBeGreaterThan(0);
    }
    expect(readdirSync(deliverables).sort()).toEqual([".gitkeep", ...written.map((f) => f.slice("deliverables/".length)), "summary.md"].sort());
  });

  it("keeps each execute run's changes.patch and says its changes were written back", () => {
    for (const entry of runIndex(project).filter((e) => isExecute(e.log_dir))) {
      const result = resultOf(entry.log_dir);
      const patchPath = join(entry.log_dir, "final", entry.winner!, "changes.patch");
      expect(result.changes).toEqual({ patch_path: patchPath, files: [expect.stringMatching(/^deliverables\/.+\.md$/)], written_back: true, merged: [], conflicts: [] });
      const patch = readFileSync(patchPath, "utf8");
      const file = result.changes!.files[0]!;
      expect(patch).toContain(`+++ b/${file}\n`);
      // What was written back is the winner's file, whole.
      const added = patch.split("\n").filter((l) => l.startsWith("+") && !l.startsWith("+++")).map((l) => l.slice(1));
      expect(readFileSync(join(project, file), "utf8")).toBe(`${added.join("\n")}\n`);
    }
  });

  // The cases below run the same project again, in order, after the first run above.
  describe("the step memo", () => {
    it("makes no model call when run again with the same arguments", async () => {
      const dirs = runDirs(project);
      const indexLength = runIndex(project).length;
      const deliverables = fileContents(join(project, "deliverables"));
      const again = await runWorkflow(FEATURE, ["--project", project, "--dry-run"]);
      expectCompleted(again);
      expect(runDirs(project)).toEqual(dirs);
      expect(runIndex(project)).toHaveLength(indexLength);
      const rows = summaryRows(again.stdout);
      expect(rows.map((r) => r.step)).toEqual(summaryRows(first.stdout).map((r) => r.step));
      expect(rows.map((r) => r.status)).toEqual(Array(FEATURE_STEPS).fill("completed (remembered)"));
      expect(rows.map((r) => r.winner)).toEqual(summaryRows(first.stdout).map((r) => r.winner));
      expect(again.stdout.split("\n").filter((l) => / remembered \(/.test(l))).toHaveLength(FEATURE_STEPS);
      // No run was started: run() says which backend it uses first thing.
      expect(again.stderr).not.toContain("Dry run:");
      expect(fileContents(join(project, "deliverables"))).toEqual(deliverables);
    });

    it("runs every step again once CONTEXT.md changes, since each step's inputs hold the project's context", async () => {
      const dirs = runDirs(project);
      const indexLength = runIndex(project).length;
      const memoBefore = memoFiles(project);
      const line = "- Edited by the test: prefer server-sent events where they are enough.";
      appendFileSync(join(project, "CONTEXT.md"), `${line}\n`);
      const again = await runWorkflow(FEATURE, ["--project", project, "--dry-run"]);
      expectCompleted(again);
      expect(summaryRows(again.stdout).map((r) => r.status)).toEqual(Array(FEATURE_STEPS).fill("completed"));
      expect(runDirs(project)).toHaveLength(dirs.length + FEATURE_STEPS);
      expect(runIndex(project)).toHaveLength(indexLength + FEATURE_STEPS);
      // Each step's memo entry keeps the hash of the context it saw, never a copy: every new one differs from every old one.
      const inputsOf = (files: string[]) => files.map((f) => readJson<{ inputs: Record<string, unknown> }>(join(project, "runs", "steps", f)).inputs);
      const added = inputsOf(memoFiles(project).filter((f) => !memoBefore.includes(f)));
      const oldHashes = new Set(inputsOf(memoBefore).map((inputs) => inputs.context_sha256));
      expect(added).toHaveLength(FEATURE_STEPS);
      for (const inputs of added) {
        expect(inputs.context_sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(oldHashes.has(inputs.context_sha256)).toBe(false);
        expect(inputs).not.toHaveProperty("context");
      }
      // So does each run's description.
      for (const dir of runDirs(project)) {
        const description = readJson<Record<string, unknown>>(join(project, "runs", dir, "run_description.json"));
        expect(description.context_sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(description).not.toHaveProperty("context");
      }
    });

    it("runs every step again with --fresh, though nothing changed", async () => {
      const dirs = runDirs(project);
      const again = await runWorkflow(FEATURE, ["--project", project, "--dry-run", "--fresh"]);
      expectCompleted(again);
      expect(summaryRows(again.stdout).map((r) => r.status)).toEqual(Array(FEATURE_STEPS).fill("completed"));
      const added = runDirs(project).filter((d) => !dirs.includes(d));
      expect(added).toHaveLength(FEATURE_STEPS);
    });
  });
});

describe("workflow() resuming after SIGKILL", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir("conclave-workflow-");
  });
  afterEach(() => removeDir(tmp));

  // Every reply takes 300 ms, so a step takes about a second and the kill lands inside step 3.
  const SLOW = `agents:
  - id: alpha
    backend: { type: scripted, latency_ms: 300 }
  - id: beta
    backend: { type: scripted, latency_ms: 300 }
  - id: gamma
    backend: { type: scripted, latency_ms: 300 }
coordination:
  max_rounds: 4
  timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 10 }
`;

  it("remembers the two finished steps, resumes the step the kill cut short, and runs the rest", async () => {
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    const args = ["--project", project, "--config", config];
    const killed = startWorkflow(FEATURE, args, { timeoutMs: 30_000 });
    const deadline = Date.now() + 20_000;
    let finished = 0;
    while (Date.now() < deadline && killed.child.exitCode === null) {
      try {
        finished = runIndex(project).length;
      } catch {
        // index.json is replaced atomically, so this is not expected; the assertion below says so.
      }
      // Step 3's run has begun (its run_description.json is written: a directory without one says
      // nothing to resume from, and the step rightly starts over): the kill cuts it short.
      const described = runDirs(project).filter((d) => existsSync(join(project, "runs", d, "run_description.json")));
      if (finished >= 2 && memoFiles(project).length >= 2 && described.length >= 3) break;
      await sleep(20);
    }
    expect(finished, "runs/index.json should reach two entries while the workflow runs").toBe(2);
    killed.child.kill("SIGKILL");
    const outcome = await killed.exited;
    expect(outcome.signal).toBe("SIGKILL");

    // Every file that was written whole stays whole.
    expect(runIndex(project)).toHaveLength(2);
    expect(memoFiles(project)).toHaveLength(2);
    for (const dir of runDirs(project)) {
      for (const name of ["result.json", "status.json", "run_description.json"]) {
        const path = join(project, "runs", dir, name);
        if (existsSync(path)) expect(() => readJson(path), path).not.toThrow();
      }
    }
    const before = runDirs(project);
    // The run of step 3 the kill left behind, if it had begun: the step resumes it instead of starting over.
    const abandoned = before.filter((d) => !existsSync(join(project, "runs", d, "result.json")));
    expect(abandoned).toHaveLength(1);

    // A copy of the project as the kill left it, for --fresh below.
    const copy = join(tmp, "fresh-copy");
    cpSync(project, copy, { recursive: true });

    const resumed = await runWorkflow(FEATURE, args, { timeoutMs: 30_000 });
    expectCompleted(resumed);
    const rows: SummaryRow[] = summaryRows(resumed.stdout);
    expect(rows).toHaveLength(FEATURE_STEPS);
    expect(rows.map((r) => r.status)).toEqual([
      "completed (remembered)",
      "completed (remembered)",
      ...Array(FEATURE_STEPS - 2).fill("completed"),
    ]);
    for (const dir of abandoned) {
      expect(resumed.stdout).toMatch(new RegExp(`: resuming run ${dir} \\(abandoned: its process \\(pid \\d+ on .+\\) is gone\\)`));
      expect(readJson(join(project, "runs", dir, "result.json"))).toMatchObject({ status: "completed", run_id: dir });
      expect(readJson(join(project, "runs", dir, "run_description.json"))).toMatchObject({ resumed: [{ from_event: expect.any(Number) }] });
    }
    console.log(`[resume] workflow killed with SIGKILL in step 3: its run ${abandoned[0]} resumed by the next pass`);
    expect(runDirs(project).filter((d) => !before.includes(d))).toHaveLength(FEATURE_STEPS - 2 - abandoned.length);
    expect(runIndex(project).map((e) => e.status)).toEqual(Array(FEATURE_STEPS).fill("completed"));

    // --fresh starts every step over, the abandoned run included: nothing is resumed.
    const fresh = await runWorkflow(FEATURE, ["--project", copy, "--config", config, "--fresh"], { timeoutMs: 30_000 });
    expectCompleted(fresh);
    expect(fresh.stdout).not.toContain("resuming run");
    expect(summaryRows(fresh.stdout).map((r) => r.status)).toEqual(Array(FEATURE_STEPS).fill("completed"));
    expect(existsSync(join(copy, "runs", abandoned[0]!, "result.json"))).toBe(false);
  }, 90_000);

  it("resumes the step a Ctrl+C (SIGINT) interrupted, saying so, and its run's index entry ends completed", async () => {
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    const args = ["--project", project, "--config", config];
    const stopped = startWorkflow(FEATURE, args, { timeoutMs: 30_000 });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && stopped.child.exitCode === null) {
      if (memoFiles(project).length >= 2 && runDirs(project).length >= 3) break;
      await sleep(20);
    }
    stopped.child.kill("SIGINT");
    const outcome = await stopped.exited;
    expect(outcome.code, outcome.stderr).toBe(4);
    const interrupted = runDirs(project).filter((d) => readJson<{ status: string }>(join(project, "runs", d, "result.json")).status === "interrupted");
    expect(interrupted).toHaveLength(1);

    const resumed = await runWorkflow(FEATURE, args, { timeoutMs: 30_000 });
    expectCompleted(resumed);
    expect(resumed.stdout).toContain(`: resuming run ${interrupted[0]} (interrupted)`);
    expect(readJson(join(project, "runs", interrupted[0]!, "result.json"))).toMatchObject({ status: "completed", run_id: interrupted[0] });
    expect(runIndex(project).map((e) => e.status)).toEqual(Array(FEATURE_STEPS).fill("completed"));
  }, 90_000);
});

describe("workflows/feature.ts --automation", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir("conclave-workflow-");
  });
  afterEach(() => removeDir(tmp));

  it("prints a LOG_DIR block per run, in order, and ends with WORKFLOW: completed", async () => {
    const project = copyDemoProject(tmp);
    const outcome = await runWorkflow(FEATURE, ["--project", project, "--dry-run", "--automation"]);
    expectCompleted(outcome);
    expect(outcome.stdout).not.toContain(ESC);
    expect(outcome.stdout.endsWith("\n")).toBe(true);
    const lines = outcome.stdout.slice(0, -1).split("\n");
    expect(lines.at(-1)).toBe("WORKFLOW: completed");

    const index = runIndex(project);
    expect(index).toHaveLength(FEATURE_STEPS);
    expect(lines.filter((l) => l.startsWith("LOG_DIR: "))).toEqual(index.map((e) => `LOG_DIR: ${e.log_dir}`));
    const expected: string[] = [];
    for (const entry of index) {
      const result = resultOf(entry.log_dir);
      const multi = descriptionOf(entry.log_dir).options.agent_mode === "multi";
      expected.push(
        `LOG_DIR: ${entry.log_dir}`,
        "Phase: planning (5%)",
        "Phase: generation (10%)",
        ...(multi ? ["Phase: voting (40%)", "Phase: presentation (85%)"] : []),
        "Phase: finalization (100%)",
        `Winner: ${result.winner} (${result.winner_reason})`,
        `Final answer: ${join(entry.log_dir, "final", result.winner!, "answer.txt")}`,
        `Elapsed: ${result.elapsed_seconds} seconds`,
      );
    }
    expect(lines).toEqual([...expected, "WORKFLOW: completed"]);
    // The summary table goes to stderr in automation mode.
    expect(summaryRows(outcome.stderr)).toHaveLength(FEATURE_STEPS);

    // Run again: every step is remembered, so no run prints a LOG_DIR.
    const again = await runWorkflow(FEATURE, ["--project", project, "--dry-run", "--automation"]);
    expectCompleted(again);
    expect(again.stdout).toBe("WORKFLOW: completed\n");
    expect(summaryRows(again.stderr).map((r) => r.status)).toEqual(Array(FEATURE_STEPS).fill("completed (remembered)"));
  });
});

describe("workflow() errors", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir("conclave-workflow-");
  });
  afterEach(() => removeDir(tmp));

  it("exits 1 on an unknown flag with a one-line message naming it, and writes nothing", async () => {
    const project = copyDemoProject(tmp);
    const outcome = await runWorkflow(FEATURE, ["--project", project, "--dry-run", "--bogus"]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe("feature: Unknown option '--bogus'. Run the workflow with --help for its options.\n");
    expect(outcome.stdout).toBe("");
    expect(existsSync(join(project, "runs"))).toBe(false);
  });

  it("exits 1 before any run for a 50 MB CONTEXT.md, naming its size and the setting, and writes no run", async () => {
    const project = copyDemoProject(tmp);
    writeFileSync(join(project, "CONTEXT.md"), `# Huge\n${"lorem ipsum dolor sit amet\n".repeat(50 * 1024 * 1024 / 27)}`);
    const outcome = await runWorkflow(FEATURE, ["--project", project, "--dry-run"]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(
      `feature: the run's context is 50 MB, more than the 1 MB cap (\`context.max_mb\` in the config); the biggest parts: \`${join(project, "CONTEXT.md")}\` 50 MB. `,
    );
    expect(outcome.stderr).toContain(`Nothing was sent to a model. (${FEATURE}:`);
    expect(runDirs(project)).toEqual([]);
    expect(memoFiles(project)).toEqual([]);
  });

  it("keeps no credential of OPENAI_BASE_URL in the step memo or the run directories", async () => {
    const project = copyDemoProject(tmp);
    const canary = "sk-canary-memo-7c1f";
    const outcome = await runWorkflow(FEATURE, ["--project", project, "--dry-run"], { env: { OPENAI_BASE_URL: `http://user:${canary}@127.0.0.1:9/v1?api-key=${canary}` } });
    expectCompleted(outcome);
    expect(memoFiles(project)).toHaveLength(FEATURE_STEPS);
    const leaks = Object.entries(fileContents(project)).filter(([, text]) => text.includes(canary)).map(([path]) => path);
    expect(leaks).toEqual([]);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toContain(canary);
  });

  it("exits 2 when the workflow throws, naming the error and the script's line", async () => {
    const script = `${FIXTURES}/throws-boom.ts`;
    const line = lineOf(join(REPO, script), 'throw new Error("boom")');
    const project = copyDemoProject(tmp);
    const outcome = await runWorkflow(script, ["--project", project, "--dry-run"]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe(`throws-boom: error: boom (${script}:${line})\n`);
  });

  it("exits 1 when a step names an agent the config does not have, naming the agent, before any run", async () => {
    const script = `${FIXTURES}/unknown-agent.ts`;
    const project = copyDemoProject(tmp);
    const outcome = await runWorkflow(script, ["--project", project, "--dry-run"]);
    expect(outcome.code).toBe(1);
    const message = outcome.stderr.split("\n").find((l) => l.startsWith("unknown-agent: "));
    expect(message, outcome.stderr).toContain("unknown agent `zeta`");
    expect(message).toContain("has alpha, beta, gamma");
    expect(message!.endsWith(`(${script}:${lineOf(join(REPO, script), '"zeta"')})`)).toBe(true);
    expect(runDirs(project)).toEqual([]);
    expect(runIndex(project)).toEqual([]);
  });

  it("exits 1 on a misspelled step option, suggesting the right name at the script's line, before any run", async () => {
    const script = `${FIXTURES}/misspelled-option.ts`;
    const project = copyDemoProject(tmp);
    const outcome = await runWorkflow(script, ["--project", project, "--dry-run"]);
    expect(outcome.code).toBe(1);
    const message = outcome.stderr.split("\n").find((l) => l.startsWith("misspelled-option: "));
    expect(message, outcome.stderr).toBe(
      `misspelled-option: run option \`refinment\` is not known: did you mean \`refinement\`? Correct its name, or remove it. (${script}:${lineOf(join(REPO, script), "refinment: false")})`,
    );
    expect(runDirs(project)).toEqual([]);
  });

  // Bug: the message comes from normalizeRunOptions (framework/runs/run-options.ts:153), worded
  // for `conclave ask --agents`; in a workflow the agents came from the step's `agents` option,
  // and a workflow script has no --agents flag (passing one is "Unknown option '--agents'").
  it("names the step's `agents` option, not an --agents flag, for an unknown agent", async () => {
    const project = copyDemoProject(tmp);
    const outcome = await runWorkflow(`${FIXTURES}/unknown-agent.ts`, ["--project", project, "--dry-run"]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain("unknown agent `zeta`");
    expect(outcome.stderr).not.toContain("--agents");
  });
});

describe("a workflow's $ (zx)", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = makeTempDir("conclave-workflow-");
  });
  afterAll(() => removeDir(tmp));

  it("runs commands in the project directory, quotes interpolated arguments, and reports a failing command's exit code; zx loads when `$` is taken", async () => {
    const project = copyDemoProject(tmp);
    const outcome = await runWorkflow(`${FIXTURES}/shell.ts`, ["--project", project, "--dry-run"]);
    expectCompleted(outcome);
    expect(`${outcome.stdout}${outcome.stderr}`).toContain(`pwd=${project} exit=3 zx loaded before $: false, after: true`);
    expect(readFileSync(join(project, "deliverables", "shell.txt"), "utf8")).toBe("two words; $HOME `x`");
  });
});

describe("structured output through a workflow", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir("conclave-workflow-");
  });
  afterEach(() => removeDir(tmp));

  const SCRIPT = `${FIXTURES}/structured-output.ts`;
  const oneAgent = (...turns: string[]) => `agents:
  - id: alpha
    backend:
      type: scripted
      script:
${turns.map((t) => `        - ${t}`).join("\n")}
coordination:
  timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 10 }
`;
  const BAD = '{ answer: "x", data: { n: "not a number" } }';

  it("gives data that does not fit one repair turn, and the good data reaches result.data", async () => {
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "repair.yaml", oneAgent(BAD, '{ answer: "y", data: { n: 3 } }'));
    const outcome = await runWorkflow(SCRIPT, ["--project", project, "--config", config]);
    expectCompleted(outcome);
    expect(summaryRows(outcome.stdout).map((r) => r.status)).toEqual(["completed"]);
    expect(JSON.parse(readFileSync(join(project, "deliverables", "out.json"), "utf8"))).toEqual({ n: 3 });
    const [entry] = runIndex(project);
    expect(resultOf(entry!.log_dir).data).toEqual({ n: 3 });
    const events = readFileSync(join(entry!.log_dir, "events.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; ok?: boolean; error?: string });
    const rejected = events.filter((e) => e.type === "run.agent.tool_call" && e.ok === false);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.error).toContain("The `data` of your answer does not match its schema: `n` ");
  });

  it("fails the step after two replies whose data does not fit, and the workflow exits 2", async () => {
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "bad.yaml", oneAgent(BAD, '{ answer: "z", data: { n: "still not a number" } }'));
    const outcome = await runWorkflow(SCRIPT, ["--project", project, "--config", config]);
    // framework/runner/workflow.ts: a step that did not complete sets the exit code from its status (failed → 2).
    expect(outcome.code).toBe(2);
    expect(summaryRows(outcome.stdout).map((r) => r.status)).toEqual(["failed"]);
    expect(outcome.stderr).toContain("made an invalid reply twice; the second: The `data` of your answer does not match its schema: `n` ");
    const [entry] = runIndex(project);
    const result = resultOf(entry!.log_dir);
    expect(result.status).toBe("failed");
    expect(result.status_reason).toContain("does not match its schema");
    expect(result.data).toBeUndefined();
    expect(existsSync(join(project, "deliverables", "out.json"))).toBe(false);
    // A failed step is not remembered: the next run tries it again.
    expect(memoFiles(project)).toEqual([]);
  });
});

describe("npx conclave init", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir("conclave-workflow-");
  });
  afterEach(() => removeDir(tmp));

  it("creates the project skeleton, then refuses the now non-empty directory", async () => {
    const npx: [string, ...string[]] = ["npx", "--no-install", "conclave"];
    const created = await runCli(["init", "demo2", "--dir", tmp], { cwd: REPO, command: npx, timeoutMs: 30_000 });
    expect(created.code, created.stderr).toBe(0);
    const dir = join(tmp, "demo2");
    expect(created.stdout.split("\n")[0]).toBe(`Created ${dir}`);
    expect(readdirSync(dir).sort()).toEqual(["CONTEXT.md", "deliverables", "filepaths.json", "runs"]);
    expect(readFileSync(join(dir, "CONTEXT.md"), "utf8").startsWith("# demo2\n")).toBe(true);
    expect(readJson(join(dir, "filepaths.json"))).toEqual({ files: [], directories: [] });
    expect(readdirSync(join(dir, "deliverables"))).toEqual([]);
    expect(readdirSync(join(dir, "runs"))).toEqual([".gitignore"]); // runs/ kept out of the repository

    const again = await runCli(["init", "demo2", "--dir", tmp], { cwd: REPO, command: npx, timeoutMs: 30_000 });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain(
      `conclave: cannot create project \`${dir}\`: the directory exists and is not empty (it holds \`CONTEXT.md\`, \`deliverables\`, \`filepaths.json\`, …).`,
    );
  });
});

describe("npx conclave run <script>", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir("conclave-workflow-");
  });
  afterEach(() => removeDir(tmp));

  // The workflow help promises `npx conclave run <workflow.ts> [options]`: the same flags as the script run by tsx.
  it("runs a workflow script with the workflow flags", async () => {
    const project = copyDemoProject(tmp);
    const outcome = await runCli(["run", FEATURE, "--project", project, "--dry-run"], { cwd: REPO, env: { CONCLAVE_PROJECT: undefined } });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(summaryRows(outcome.stdout).map((r) => r.status)).toEqual(Array(FEATURE_STEPS).fill("completed"));
  });
});

describe("workflow() projects", () => {
  // A scratch repository of the user's: package.json, a workflow script importing Conclave by path, projects/demo.
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir("conclave-projects-");
    writeFileSync(join(tmp, "package.json"), '{ "name": "scratch", "private": true, "type": "module" }\n');
    writeFileSync(join(tmp, "research.ts"), SCRATCH_WORKFLOW);
    writeConfig(tmp, "fast.yaml", FAST);
    copyDemoProject(join(tmp, "projects"));
  });
  afterEach(() => removeDir(tmp));

  const conclave = (args: string[], cwd = tmp, env: NodeJS.ProcessEnv = {}) => runCli(["run", ...args], { cwd, env: { CONCLAVE_PROJECT: undefined, ...env } });

  it("refuses a misspelt --project, suggesting the nearest project and how to create one, and writes nothing", async () => {
    const before = listFiles(tmp);
    const outcome = await conclave(["research.ts", "--project", "projects/dmeo", "--config", "fast.yaml"]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe("");
    expect(outcome.stderr).toBe("research: project directory `projects/dmeo` does not exist. Did you mean `projects/demo`? To create a new project, run `npx conclave init dmeo`.\n");
    expect(listFiles(tmp)).toEqual(before);
  });

  it("says where a missing project came from when CONCLAVE_PROJECT names it", async () => {
    const before = listFiles(tmp);
    const outcome = await conclave(["research.ts", "--config", "fast.yaml"], tmp, { CONCLAVE_PROJECT: "projects/dmeo" });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe(
      "research: project directory `projects/dmeo` does not exist. Did you mean `projects/demo`? To create a new project, run `npx conclave init dmeo`. (the path came from CONCLAVE_PROJECT)\n",
    );
    expect(listFiles(tmp)).toEqual(before);
  });

  it("says a file given as --project is not a project directory, without ENOTDIR", async () => {
    const outcome = await conclave(["research.ts", "--project", "package.json", "--config", "fast.yaml"]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe(
      "research: project directory `package.json` is a file, not a directory. A project is a directory with CONTEXT.md: pass `--project <dir>` with one, or run `npx conclave init <name>` to create one.\n",
    );
  });

  it("checks the config before creating the default project: a config error writes nothing", async () => {
    writeConfig(tmp, "broken.yaml", "agents:\n  - id: alpha\n    backend: { type: nope }\n");
    const before = listFiles(tmp);
    const outcome = await conclave(["research.ts", "--config", "broken.yaml"]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe('research: broken.yaml:3 agents[0].backend.type: expected one of auto, openai, anthropic, scripted, got "nope"\n');
    expect(existsSync(join(tmp, "projects", "research"))).toBe(false);
    expect(listFiles(tmp)).toEqual(before);
  });

  it("writes nothing in workflows/ when run from there with a config error or a misspelt project", async () => {
    const workflows = join(tmp, "workflows");
    mkdirSync(workflows);
    writeFileSync(join(workflows, "research.ts"), SCRATCH_WORKFLOW);
    writeConfig(workflows, "broken.yaml", "agents: [\n");
    const broken = await conclave(["research.ts", "--config", "broken.yaml"], workflows);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^research: broken\.yaml:\d+ malformed YAML: /);
    const typo = await conclave(["research.ts", "--project", "../projects/dmeo", "--config", "../fast.yaml"], workflows);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(`research: project directory \`${join(tmp, "projects", "dmeo")}\` does not exist. Did you mean \`${join(tmp, "projects", "demo")}\`? To create a new project, run \`npx conclave init dmeo --dir ${join(tmp, "projects")}\`.\n`);
    expect(readdirSync(workflows).sort()).toEqual(["broken.yaml", "research.ts"]);
  });

  it("creates only the default project, saying so in one line the first time", async () => {
    const first = await conclave(["research.ts", "--config", "fast.yaml", "--dry-run"]);
    expect(first.code, first.stderr).toBe(0);
    const created = "Created project projects/research (CONTEXT.md, filepaths.json, deliverables/): edit CONTEXT.md to tell the agents about your work.";
    expect(first.stderr.split("\n").filter((l) => l.startsWith("Created project"))).toEqual([created]);
    expect(readdirSync(join(tmp, "projects", "research")).sort()).toEqual(["CONTEXT.md", "deliverables", "filepaths.json", "runs"]);
    const again = await conclave(["research.ts", "--config", "fast.yaml", "--dry-run"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("Created project");
  });
});
