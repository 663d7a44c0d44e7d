import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "vitest";
import { CLI, makeTempDir, readJson, removeDir, REPO, runCli, writeConfig } from "../support/cli-process.ts";
import { startTmux, type TmuxSession } from "../support/pty-tmux.ts";
import { copyDemoProject, memoFiles, runDirs, runIndex, runWorkflow } from "../support/workflow-process.ts";

// Approvals in workflows, end to end: a config with `approval: { above_usd: 0 }` and scripted
// agents priced as gpt-4.1-mini, so every run's estimate is above $0 and must be approved: by
// --yes, by automation mode, or by the person at the terminal (a tmux pane), who sees the run
// card and answers Approve / Edit agents / Cancel; with --confirm, also the write-back question.

const RESEARCH = "workflows/research.ts";
const ONE_RUN = "test/fixtures/workflows/one-run.ts";
const ONE_EXECUTE = "test/fixtures/workflows/one-execute.ts";

const PRICED = `agents:
  - id: alpha
    backend: { type: scripted, model: gpt-4.1-mini, latency_ms: 5 }
  - id: beta
    backend: { type: scripted, model: gpt-4.1-mini, latency_ms: 5 }
approval: { above_usd: 0 }
coordination:
  max_rounds: 4
  timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 10 }
`;

const PROMPT = "Approve [a], edit agents [e], or cancel [c]? ";
// The pane shows the prompt without its trailing space (capture-pane trims lines).
const ASKING = /^Approve \[a\], edit agents \[e\], or cancel \[c\]\?$/m;
const ESTIMATE = /^ {2}estimate {3}~[\d.]+k tokens, \$(\d+\.\d{4})$/m;

interface Description {
  agents: { id: string; backend: string; model: string }[];
}
interface Result {
  status: string;
  winner: string | null;
  changes?: { patch_path: string; files: string[]; written_back: boolean; reason?: string; merged: string[]; conflicts: string[] };
}

describe.concurrent("approval.above_usd without a terminal", () => {
  // Each test has its own directory (the tests run concurrently), removed when it finishes.
  const setup = (onTestFinished: TestContext["onTestFinished"]) => {
    const tmp = makeTempDir("conclave-approval-");
    onTestFinished(() => removeDir(tmp));
    return { project: copyDemoProject(tmp), config: writeConfig(tmp, "priced.yaml", PRICED) };
  };

  it("--yes approves each run, saying so once per run with its estimate, and exits 0", async ({ expect, onTestFinished }) => {
    const { project, config } = setup(onTestFinished);
    const outcome = await runWorkflow(RESEARCH, ["--project", project, "--config", config, "--yes"]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const approved = outcome.stderr.split("\n").filter((l) => l.startsWith("Approved"));
    expect(approved).toEqual([
      expect.stringMatching(/^Approved \(--yes\): perspectives, estimate \$\d+\.\d{4}\.$/),
      expect.stringMatching(/^Approved \(--yes\): refined, estimate \$\d+\.\d{4}\.$/),
    ]);
    for (const line of approved) expect(Number(/\$(\d+\.\d{4})/.exec(line)![1])).toBeGreaterThan(0);
    expect(runIndex(project).map((e) => [e.step, e.status])).toEqual([
      ["perspectives", "completed"],
      ["refined", "completed"],
    ]);
  });

  it("--automation approves each run as automation mode, and exits 0", async ({ expect, onTestFinished }) => {
    const { project, config } = setup(onTestFinished);
    const outcome = await runWorkflow(RESEARCH, ["--project", project, "--config", config, "--automation"]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const approved = outcome.stderr.split("\n").filter((l) => l.startsWith("Approved"));
    expect(approved).toEqual([
      expect.stringMatching(/^Approved \(automation mode\): perspectives, estimate \$\d+\.\d{4}\.$/),
      expect.stringMatching(/^Approved \(automation mode\): refined, estimate \$\d+\.\d{4}\.$/),
    ]);
    expect(outcome.stdout.split("\n").filter((l) => l.startsWith("LOG_DIR: "))).toHaveLength(2);
    expect(outcome.stdout.endsWith("WORKFLOW: completed\n")).toBe(true);
  });

  it("with neither a terminal nor --yes, exits 1 saying the run needs approval and to pass --yes, and runs nothing", async ({ expect, onTestFinished }) => {
    const { project, config } = setup(onTestFinished);
    const outcome = await runWorkflow(RESEARCH, ["--project", project, "--config", config]);
    expect(outcome.code).toBe(1);
    const message = outcome.stderr.split("\n").find((l) => l.startsWith("research: "));
    expect(message, outcome.stderr).toMatch(/^research: perspectives needs approval \(estimate \$\d+\.\d{4}, above approval\.above_usd \$0\): .*pass --yes\./);
    expect(outcome.stderr).not.toContain("Approved");
    expect(runDirs(project)).toEqual([]);
    expect(runIndex(project)).toEqual([]);
    expect(memoFiles(project)).toEqual([]);
  });
});

describe.concurrent("approval at a terminal", () => {
  // Each test has its own directory and tmux server (the tests run concurrently); both go when it finishes.
  const setup = (onTestFinished: TestContext["onTestFinished"]) => {
    const tmp = makeTempDir("conclave-approval-");
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "priced.yaml", PRICED);
    let session: TmuxSession | undefined;
    onTestFinished(async () => {
      await session?.kill();
      removeDir(tmp);
    });
    const start = (script: string, ...flags: string[]) =>
      (session = startTmux([process.execPath, "--import", "tsx", script, "--project", project, "--config", config, ...flags], { cwd: REPO, dir: tmp, cols: 160, rows: 50 }));
    const onlyRun = () => {
      const dirs = runDirs(project);
      if (dirs.length !== 1) throw new Error(`expected one run directory in ${project}/runs, found: ${dirs.join(", ")}`);
      return join(project, "runs", dirs[0]!);
    };
    return { project, start, onlyRun };
  };

  it("shows the run card; cancel runs nothing and exits 4", async ({ expect, onTestFinished }) => {
    const { project, start } = setup(onTestFinished);
    const s = start(ONE_RUN);
    const screen = await s.waitForScreen(ASKING, 15_000);
    const card = screen.slice(screen.indexOf("Run 1. run: "));
    expect(card.split("\n").slice(0, 7)).toEqual([
      "Run 1. run: Name one risk of moving the API to HTTP/3",
      "  task       Name one risk of moving the API to HTTP/3",
      "  agents     alpha (scripted gpt-4.1-mini), beta (scripted gpt-4.1-mini)",
      "  mode       2 agents, up to 4 rounds",
      "  may write  nothing",
      expect.stringMatching(ESTIMATE),
      PROMPT.trimEnd(),
    ]);
    expect(Number(ESTIMATE.exec(card)![1])).toBeGreaterThan(0);
    s.type("c");
    expect(await s.waitForExit(10_000)).toBe(4);
    expect(runDirs(project)).toEqual([]);
    expect(runIndex(project)).toEqual([]);
    expect(s.capture()).not.toMatch(/^conclave {2}/m);
  });

  it("edit agents, then alpha: runs with alpha only", async ({ expect, onTestFinished }) => {
    const { start, onlyRun } = setup(onTestFinished);
    const s = start(ONE_RUN);
    await s.waitForScreen(ASKING, 15_000);
    s.type("e");
    await s.waitForScreen(/^Agents to run, comma-separated \(alpha, beta\):$/m, 5_000);
    s.type("alpha");
    expect(await s.waitForExit(15_000), s.capture()).toBe(0);
    const dir = onlyRun();
    expect(readJson<Description>(join(dir, "run_description.json")).agents.map((a) => a.id)).toEqual(["alpha"]);
    expect(Object.keys(readJson<{ agents: object }>(join(dir, "status.json")).agents)).toEqual(["alpha"]);
    expect(readJson<Result>(join(dir, "result.json"))).toMatchObject({ status: "completed", winner: "alpha" });
  });

  it("approve: runs with every agent", async ({ expect, onTestFinished }) => {
    const { start, onlyRun } = setup(onTestFinished);
    const s = start(ONE_RUN);
    await s.waitForScreen(ASKING, 15_000);
    s.type("a");
    expect(await s.waitForExit(15_000), s.capture()).toBe(0);
    const dir = onlyRun();
    expect(readJson<Description>(join(dir, "run_description.json")).agents.map((a) => a.id)).toEqual(["alpha", "beta"]);
    expect(readJson<Result>(join(dir, "result.json")).status).toBe("completed");
  });

  it("--confirm on an execute step: the card says what it may write; answering no to the write-back keeps the deliverables as they were and the patch", async ({ expect, onTestFinished }) => {
    const { project, start, onlyRun } = setup(onTestFinished);
    const s = start(ONE_EXECUTE, "--confirm");
    const screen = await s.waitForScreen(ASKING, 15_000);
    expect(screen).toMatch(/^Run 1\. execute: Write deliverables\/notes\.md/m);
    expect(screen).toContain("\n  may write  deliverables/\n");
    s.type("a");
    await s.waitForScreen(/^Write the changes back\? \[Y\/n\]$/m, 15_000);
    s.type("n");
    expect(await s.waitForExit(15_000), s.capture()).toBe(0);
    expect(readdirSync(join(project, "deliverables"))).toEqual([".gitkeep"]);
    const dir = onlyRun();
    const result = readJson<Result>(join(dir, "result.json"));
    expect(result.status).toBe("completed");
    const patch = join(dir, "final", result.winner!, "changes.patch");
    expect(result.changes).toEqual({ patch_path: patch, files: [expect.stringMatching(/^deliverables\/.+/)], written_back: false, reason: "not approved", merged: [], conflicts: [] });
    expect(existsSync(patch)).toBe(true);
    expect(statSync(patch).size).toBeGreaterThan(0);
    expect(readFileSync(patch, "utf8")).toContain(`+++ b/${result.changes!.files[0]}\n`);
    // The person is told where the changes went (the patch is outside the working directory: its absolute path).
    expect(s.capture().split("\n")).toContain(`Not written back: the changes are kept in ${patch}.`);
  });

  // Bug: the write-back question was written to stderr (framework/runner/approval.ts, askWriteBack)
  // while the run's progress view still owned the lines above the cursor: a redraw that was already
  // scheduled (framework/runner/progress-view.ts, `timer ??= setTimeout(draw, wait)`) or the next
  // status update after the answer moved the cursor up over the block's height (`\x1b[3F`, the
  // view's redraw) from below the question, and overwrote "The winner changed 1 file: …" and
  // "The patch: …" with the block (framework/runner/workflow.ts wired both to stderr with nothing
  // pausing the view). The person was asked "Write the changes back? [Y/n]"
  // without the files and the patch, and a stale copy of the block stayed on screen.
  it("--confirm: the write-back question keeps the changed files and the patch on screen, and the block is not duplicated", async ({ expect, onTestFinished }) => {
    const { start } = setup(onTestFinished);
    const s = start(ONE_EXECUTE, "--confirm");
    await s.waitForScreen(ASKING, 15_000);
    s.type("a");
    await s.waitForScreen(/^Write the changes back\? \[Y\/n\]$/m, 15_000);
    // Give an already scheduled redraw (80 ms throttle) time to land.
    await new Promise((r) => setTimeout(r, 300));
    const asking = s.capture();
    expect(asking).toMatch(/^The winner changed 1 file: deliverables\/.+$/m);
    expect(asking).toMatch(/^The patch: .+\/changes\.patch$/m);
    s.type("n");
    expect(await s.waitForExit(15_000)).toBe(0);
    expect(s.capture().split("\n").filter((l) => /^conclave {2}/.test(l))).toHaveLength(1);
  });

  // Bug: Ctrl+C at the approval prompt is reported as an execution error: readline/promises
  // rejects rl.question with "Aborted with Ctrl+C" (framework/runner/approval.ts:32), askApproval
  // does not catch it, and iteration() classes it as an error (framework/runner/workflow.ts:282):
  // the person sees "one-run: error: Aborted with Ctrl+C" and the exit code is 2, where the
  // contract (README "Exit codes", docs/architecture.md §4) says Ctrl+C is interrupted, exit 4. (Ctrl+D there
  // likewise gives "error: Aborted with Ctrl+D" and exit 2 rather than a cancel.)
  it("Ctrl+C at the approval prompt exits 4 as interrupted, not as an error", async ({ expect, onTestFinished }) => {
    const { project, start } = setup(onTestFinished);
    const s = start(ONE_RUN);
    await s.waitForScreen(ASKING, 15_000);
    s.keys("C-c");
    expect(await s.waitForExit(10_000)).toBe(4);
    expect(s.capture()).not.toMatch(/error: Aborted/);
    expect(runDirs(project)).toEqual([]);
  });

  it("SIGTERM at the approval prompt exits 4 as interrupted and runs nothing, rather than waiting for an answer", async ({ expect, onTestFinished }) => {
    const { project, start } = setup(onTestFinished);
    const s = start(ONE_RUN);
    await s.waitForScreen(ASKING, 15_000);
    // The workflow's node process: the one whose argv starts with node and names the project.
    const pid = readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .find((n) => {
        try {
          const argv = readFileSync(`/proc/${n}/cmdline`, "utf8").split("\0");
          return argv[0] === process.execPath && argv.includes(project);
        } catch {
          return false;
        }
      });
    expect(pid, "the workflow's process").toBeDefined();
    process.kill(Number(pid), "SIGTERM");
    expect(await s.waitForExit(10_000)).toBe(4);
    expect(s.capture()).toContain("Interrupted by SIGTERM: finishing the current run (send it again to quit at once).");
    expect(runDirs(project)).toEqual([]);
  });
});

describe.concurrent("conclave ask and approval.above_usd", () => {
  // Each test has its own directory (and tmux server), removed when it finishes.
  const setup = (onTestFinished: TestContext["onTestFinished"]) => {
    const tmp = makeTempDir("conclave-approval-");
    let session: TmuxSession | undefined;
    onTestFinished(async () => {
      await session?.kill();
      removeDir(tmp);
    });
    const config = writeConfig(tmp, "priced.yaml", PRICED);
    const runs = join(tmp, "runs");
    const args = (...flags: string[]) => ["ask", "Name one risk of moving the API to HTTP/3", "--config", config, "--runs-dir", runs, ...flags];
    const startAtTerminal = () => (session = startTmux([process.execPath, CLI, ...args()], { cwd: tmp, dir: tmp, cols: 160, rows: 50 }));
    return { tmp, runs, args, startAtTerminal };
  };

  it("with neither a terminal nor --yes, exits 1 saying to pass --yes, and writes no run", async ({ expect, onTestFinished }) => {
    const { tmp, runs, args } = setup(onTestFinished);
    const outcome = await runCli(args(), { cwd: tmp });
    expect(outcome.stderr).toMatch(/^conclave: the run needs approval \(estimate \$\d+\.\d{4}, above approval\.above_usd \$0\): run it in a terminal, or pass --yes\.\n$/);
    expect(outcome.code).toBe(1);
    expect(existsSync(runs)).toBe(false);
  });

  it.for([
    ["--yes", "--yes"],
    ["--automation", "automation mode"],
  ] as const)("%s approves the run, saying so in one line with its estimate, and exits 0", async ([flag, by], { expect, onTestFinished }) => {
    const { tmp, runs, args } = setup(onTestFinished);
    const outcome = await runCli(args(flag), { cwd: tmp });
    expect(outcome.code, outcome.stderr).toBe(0);
    const approved = outcome.stderr.split("\n").filter((l) => l.startsWith("Approved"));
    expect(approved).toEqual([expect.stringMatching(new RegExp(`^Approved \\(${by}\\): the run, estimate \\$\\d+\\.\\d{4}\\.$`))]);
    expect(readdirSync(runs).filter((name) => name !== ".staging")).toHaveLength(1);
  });

  it("at a terminal shows the run card; cancel runs nothing and exits 4", async ({ expect, onTestFinished }) => {
    const { runs, startAtTerminal } = setup(onTestFinished);
    const s = startAtTerminal();
    const screen = await s.waitForScreen(ASKING, 15_000);
    expect(screen).toContain("Run ask: Name one risk of moving the API to HTTP/3\n  task       Name one risk of moving the API to HTTP/3\n");
    s.type("c");
    expect(await s.waitForExit(10_000)).toBe(4);
    expect(s.capture()).toMatch(/^Cancelled: nothing was run\.$/m);
    expect(existsSync(runs)).toBe(false);
  });

  it("at a terminal, approve runs it with every agent and exits 0", async ({ expect, onTestFinished }) => {
    const { runs, startAtTerminal } = setup(onTestFinished);
    const s = startAtTerminal();
    await s.waitForScreen(ASKING, 15_000);
    s.type("a");
    expect(await s.waitForExit(15_000), s.capture()).toBe(0);
    const [dir] = readdirSync(runs).filter((name) => name !== ".staging");
    expect(readJson<Description>(join(runs, dir!, "run_description.json")).agents.map((a) => a.id)).toEqual(["alpha", "beta"]);
  });
});
