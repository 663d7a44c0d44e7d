import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it, type TestContext } from "vitest";
import { CLI, makeTempDir, removeDir, REPO, startCli, writeConfig, type CliProcess } from "../support/cli-process.ts";
import { startUnderScript, type ScriptProcess } from "../support/pty-script.ts";
import { startTmux, type TmuxSession } from "../support/pty-tmux.ts";
import { copyDemoProject } from "../support/workflow-process.ts";

// The progress view of `conclave ask`, end to end: under a pseudo-terminal (tmux of a fixed size,
// or util-linux `script`) it is a block of lines (the run, then one per agent) redrawn in place
// on stderr; piped, it is plain lines with no escape codes (README "The CLI").

const ESC = "\x1b";
const AGENTS = ["alpha", "beta", "gamma"];
// Every reply takes 300 ms, so the run spends about a second in generation, voting and
// presentation: long enough to see the block change several times.
const SLOW = `agents:
${AGENTS.map((id) => `  - id: ${id}\n    backend: { type: scripted, latency_ms: 300 }`).join("\n")}
coordination:
  max_rounds: 4
  timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 10 }
`;
const TASK = "Name one risk of moving the API to HTTP/3";
const ONE_RUN = "test/fixtures/workflows/one-run.ts";
const HEAD = /^conclave {2}(planning|generation|voting|presentation|finalization) /;
const agentRow = (id: string) => new RegExp(`^ {2}${id} +(\\w+) `);

describe.concurrent("the progress view of conclave ask", () => {
  // Each test has its own directory, and its child process or tmux server (the tests run
  // concurrently); all go when it finishes.
  const setup = (onTestFinished: TestContext["onTestFinished"]) => {
    const tmp = makeTempDir("conclave-progress-");
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    const owned: { session?: TmuxSession; script?: ScriptProcess; child?: CliProcess } = {};
    onTestFinished(async () => {
      await owned.session?.kill();
      await owned.script?.kill();
      const child = owned.child;
      if (child && child.child.exitCode === null && child.child.signalCode === null) {
        child.child.kill("SIGKILL");
        await child.exited.catch(() => undefined);
      }
      removeDir(tmp);
    });
    const askArgs = [CLI, "ask", TASK, "--config", config, "--runs-dir", join(tmp, "runs")];
    return { tmp, askArgs, owned };
  };

  it("on a terminal, redraws one line per agent in place, and writes cursor moves and colours", async ({ expect, onTestFinished }) => {
    const { tmp, askArgs, owned } = setup(onTestFinished);
    const session = (owned.session = startTmux([process.execPath, ...askArgs], { cwd: REPO, dir: tmp, cols: 120, rows: 40 }));
    // Capture the pane while the run goes: every screen that shows the block, until it ends.
    const screens: string[] = [];
    const deadline = Date.now() + 15_000;
    while (session.exitCode() === undefined && Date.now() < deadline) {
      const text = session.capture();
      if (/^Run \w+\. /m.test(text)) break;
      if (text.split("\n").some((l) => HEAD.test(l))) screens.push(text);
      await sleep(40);
    }
    expect(await session.waitForExit(15_000)).toBe(0);
    expect(screens.length, "the block should be on screen while the run goes").toBeGreaterThanOrEqual(3);

    const statuses = new Map<string, Set<string>>(AGENTS.map((id) => [id, new Set()]));
    const phases = new Set<string>();
    const shapes = new Set<string>();
    for (const screen of screens) {
      const lines = screen.replace(/\n$/, "").split("\n");
      // One block, whatever the number of redraws: one head line, then one row per agent, in config order.
      const heads = lines.flatMap((l, i) => (HEAD.test(l) ? [i] : []));
      expect(heads, screen).toHaveLength(1);
      const at = heads[0]!;
      phases.add(HEAD.exec(lines[at]!)![1]!);
      AGENTS.forEach((id, k) => {
        const row = agentRow(id).exec(lines[at + 1 + k] ?? "");
        expect(row, `row ${k + 1} of the block should be ${id}'s:\n${screen}`).not.toBeNull();
        statuses.get(id)!.add(row![1]!);
      });
      for (const id of AGENTS) expect(lines.filter((l) => agentRow(id).test(l)), screen).toHaveLength(1);
      // The same rows: where the block is and how many lines the pane holds do not change with an update.
      shapes.add(`${at}/${lines.length}`);
    }
    expect([...shapes], "the block moved or the pane grew between updates").toHaveLength(1);
    // ...while what the rows say does: the phase, and each agent's status.
    expect(phases.size, [...phases].join(", ")).toBeGreaterThanOrEqual(2);
    for (const id of AGENTS) expect(statuses.get(id)!.size, `${id}: ${[...statuses.get(id)!].join(", ")}`).toBeGreaterThanOrEqual(2);

    // After the run: still one block (no stale copy in the scrollback either), then the outcome.
    const end = session.capture().split("\n");
    expect(end.filter((l) => HEAD.test(l))).toHaveLength(1);
    for (const id of AGENTS) expect(end.filter((l) => agentRow(id).test(l))).toHaveLength(1);
    expect(end.find((l) => HEAD.test(l))).toMatch(/^conclave {2}finalization · round \d+ · 100% · /);
    expect(end).toContainEqual(expect.stringMatching(/^Run completed\. Winner: \w+ \(/));

    // The raw bytes: each redraw (log-update) moves up within the block, never above it (the head
    // and three agents, plus the line the cursor waits on), and erases the lines it rewrites.
    const raw = session.raw();
    const ups = [...raw.matchAll(/\x1b\[(\d*)A/g)].map((m) => Number(m[1] || 1));
    expect(ups.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...ups)).toBeLessThanOrEqual(1 + AGENTS.length);
    expect(raw).toContain(`${ESC}[2K`);
    expect(raw).toMatch(/\x1b\[3\dm/);
  });

  it("after Ctrl+C, the screen holds the message above one final block, and no stale copy of it", async ({ expect, onTestFinished }) => {
    const { tmp, askArgs, owned } = setup(onTestFinished);
    const session = (owned.session = startTmux([process.execPath, ...askArgs], { cwd: REPO, dir: tmp, cols: 120, rows: 40 }));
    await session.waitForScreen(/^ {2}alpha +working /m, 15_000);
    session.keys("C-c");
    expect(await session.waitForExit(15_000)).toBe(4);
    const lines = session.capture().replace(/\n$/, "").split("\n");
    // The block's every line once: the head, then one row per agent, each in its final state.
    expect(lines.filter((l) => HEAD.test(l)), lines.join("\n")).toHaveLength(1);
    for (const id of AGENTS) expect(lines.filter((l) => agentRow(id).test(l)), lines.join("\n")).toHaveLength(1);
    const at = lines.findIndex((l) => HEAD.test(l));
    expect(lines.slice(at - 2, at + 1 + AGENTS.length + 3)).toEqual([
      "",
      "Interrupted: finishing the run (press Ctrl+C again to quit at once).",
      expect.stringMatching(/^conclave {2}finalization · (round \d+ · )?100% · /),
      ...AGENTS.map((id) => expect.stringMatching(new RegExp(`^ {2}${id} +(stopped|answered|voted|presented) `))),
      "Run interrupted by the user. No winner.",
      expect.stringMatching(/^Run directory: /),
      // (the path may wrap at the terminal's 120 columns)
      expect.stringMatching(/^Resume it where it stopped: npx conclave resume \//),
    ]);
    expect(lines.join("\n")).not.toContain("^C");
    // The reason is said once, in the outcome line.
    expect(lines.filter((l) => l.includes("interrupted by the user"))).toEqual(["Run interrupted by the user. No winner."]);
  });

  it("a watch-mode cancel leaves the cancelled run's final block, the change named, and the new run's block, each once", async ({ expect, onTestFinished }) => {
    const { tmp, owned } = setup(onTestFinished);
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    const session = (owned.session = startTmux([process.execPath, "--import", "tsx", ONE_RUN, "--project", project, "--config", config, "--watch"], { cwd: REPO, dir: tmp, cols: 120, rows: 60 }));
    await session.waitForScreen(/^ {2}alpha +working /m, 15_000);
    appendFileSync(join(project, "CONTEXT.md"), "- Edited while the run was going.\n");
    await session.waitForScreen(/^Watching \d+ files: /m, 30_000);
    const lines = session.capture().replace(/\n$/, "").split("\n");
    const screen = lines.join("\n");
    // Two blocks (the cancelled run's, the new run's), each its head, its rows, then its outcome: nothing stale between.
    const heads = lines.flatMap((l, i) => (HEAD.test(l) ? [i] : []));
    expect(heads, screen).toHaveLength(2);
    for (const id of AGENTS) expect(lines.filter((l) => agentRow(id).test(l)), screen).toHaveLength(2);
    const outcomes = heads.map((at) => lines[at + 1 + AGENTS.length]);
    expect(outcomes).toEqual([expect.stringMatching(/^Run cancelled: CONTEXT\.md changed\. (No winner\.|Winner: \w+ \(.+\))$/), expect.stringMatching(/^Run completed\. Winner: \w+ \(/)]);
    expect(lines.filter((l) => l.startsWith("Changed: "))).toEqual(["Changed: CONTEXT.md: cancelling the current run and starting again."]);
    // The change is said above the cancelled run's final block, not under a stale one.
    expect(lines.indexOf("Changed: CONTEXT.md: cancelling the current run and starting again.")).toBeLessThan(heads[0]!);
    session.keys("C-c");
    expect(await session.waitForExit(10_000)).toBe(0);
  });

  it("with NO_COLOR=1 on a terminal, still redraws in place but writes no colour codes", async ({ expect, onTestFinished }) => {
    const { askArgs, owned } = setup(onTestFinished);
    const child = (owned.script = startUnderScript([process.execPath, ...askArgs], { cwd: REPO, env: { NO_COLOR: "1" } }));
    const outcome = await child.exited;
    expect(outcome.code, outcome.stdout).toBe(0);
    expect(outcome.stdout).toMatch(/\x1b\[\d*A/);
    expect(outcome.stdout).toMatch(/\x1b\[2K/);
    expect(outcome.stdout).not.toMatch(/\x1b\[3\dm/);
    expect(outcome.stdout).not.toMatch(/\x1b\[\d*(;\d+)*m/);
    // log-update wraps each frame in synchronized-output codes (DEC 2026), the last just before the outcome.
    expect(outcome.stdout.replace(/\x1b\[\?2026[hl]/g, "")).toMatch(/^Run completed\. Winner: \w+ \(/m);
  });

  it("piped, prints plain lines and not one escape code", async ({ expect, onTestFinished }) => {
    const { askArgs, owned } = setup(onTestFinished);
    const child = (owned.child = startCli(askArgs.slice(1), { cwd: REPO }));
    const outcome = await child.exited;
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).not.toContain(ESC);
    expect(outcome.stderr).not.toContain(ESC);
    for (const id of AGENTS) expect(outcome.stderr).toMatch(new RegExp(`^ {2}${id} answered$`, "m"));
    expect(outcome.stderr).toMatch(/^Run completed\. Winner: \w+ \(/m);
    expect(outcome.stdout.trim().length).toBeGreaterThan(0);
  });
});
