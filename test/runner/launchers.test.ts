import { mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, readJson, removeDir, REPO, writeConfig } from "../support/cli-process.ts";
import { processesWith } from "../support/processes-with.ts";
import { startTmux, type TmuxSession } from "../support/pty-tmux.ts";
import { copyDemoProject } from "../support/workflow-process.ts";

// Ctrl+C in a real terminal (tmux), through each way of starting Conclave the README names; the
// exit code is what the shell sees (`$?`, written by the pane's wrapper). Replies take 20 s, so
// the key always lands mid-run.
const SLOW = `agents:
  - id: alpha
    backend: { type: scripted, latency_ms: 20000 }
  - id: beta
    backend: { type: scripted, latency_ms: 20000 }
coordination:
  timeouts: { run: 120, generation: 60, voting: 60, presentation: 60, call: 60, idle: 60 }
`;

let tmp: string;
let session: TmuxSession | undefined;
beforeEach(() => {
  tmp = makeTempDir("conclave-launchers-");
});
afterEach(async () => {
  await session?.kill();
  session = undefined;
  removeDir(tmp);
});

// The processes whose command line names this test's directory, the tmux server aside.
const processesOfTest = () => processesWith(tmp, (cmdline) => cmdline.startsWith("tmux\0"));

// Ctrl+C once the progress view shows generation; returns the exit code the shell saw.
async function ctrlCMidRun(command: string[], cwd: string): Promise<number> {
  session = startTmux(command, { cwd, dir: tmp, env: { CONCLAVE_PROJECT: undefined } });
  await session.waitForScreen(/generation · round 1/, 40_000);
  session.keys("C-c");
  return session.waitForExit(20_000);
}

// The one run under `runsDir` ends interrupted (a launcher may report before the run has finished writing), and no process of the test is left.
async function expectInterruptedRun(runsDir: string): Promise<void> {
  const [id] = readdirSync(runsDir).filter((n) => n !== "index.json" && n !== "steps" && !n.startsWith("."));
  const status = () => readJson<{ results: { status: string } }>(join(runsDir, id!, "status.json")).results.status;
  for (let i = 0; i < 100 && status() === "running"; i++) await sleep(50);
  expect(status()).toBe("interrupted");
  for (let i = 0; i < 100 && processesOfTest().length > 0; i++) await sleep(50);
  expect(processesOfTest()).toEqual([]);
}

describe("Ctrl+C mid-run in a terminal", () => {
  it("gives 4 through node bin/conclave.js ask", async () => {
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    expect(await ctrlCMidRun([process.execPath, join(REPO, "bin", "conclave.js"), "ask", "Name three risks", "--config", config, "--runs-dir", join(tmp, "runs")], tmp)).toBe(4);
    await expectInterruptedRun(join(tmp, "runs"));
  }, 60_000);

  it("gives 4 through ./node_modules/.bin/conclave ask in a project that depends on conclave", async () => {
    const app = join(tmp, "app");
    mkdirSync(join(app, "node_modules", ".bin"), { recursive: true });
    symlinkSync(REPO, join(app, "node_modules", "conclave"));
    symlinkSync("../conclave/bin/conclave.js", join(app, "node_modules", ".bin", "conclave"));
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    expect(await ctrlCMidRun(["./node_modules/.bin/conclave", "ask", "Name three risks", "--config", config], app)).toBe(4);
    await expectInterruptedRun(join(app, ".conclave", "runs"));
  }, 60_000);

  it("gives npm's 130 through npx conclave ask, though the run still finalizes as interrupted", async () => {
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    expect(await ctrlCMidRun(["npx", "--no-install", "conclave", "ask", "Name three risks", "--config", config, "--runs-dir", join(tmp, "runs")], REPO)).toBe(130);
    await expectInterruptedRun(join(tmp, "runs"));
  }, 60_000);

  it("gives 4 through node --import tsx <workflow> and node bin/conclave.js run <workflow>", async () => {
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    const direct = copyDemoProject(tmp, "direct");
    expect(await ctrlCMidRun([process.execPath, "--import", "tsx", "workflows/feature.ts", "--project", direct, "--config", config], REPO)).toBe(4);
    await expectInterruptedRun(join(direct, "runs"));
    await session!.kill();
    const viaRun = copyDemoProject(tmp, "via-run");
    expect(await ctrlCMidRun([process.execPath, "bin/conclave.js", "run", "workflows/feature.ts", "--project", viaRun, "--config", config], REPO)).toBe(4);
    await expectInterruptedRun(join(viaRun, "runs"));
  }, 90_000);

  it("gives npm's 130 through npx tsx <workflow> and npm start, though the run still finalizes as interrupted", async () => {
    const config = writeConfig(tmp, "slow.yaml", SLOW);
    const viaNpx = copyDemoProject(tmp, "via-npx");
    expect(await ctrlCMidRun(["npx", "--no-install", "tsx", "workflows/feature.ts", "--project", viaNpx, "--config", config], REPO)).toBe(130);
    await expectInterruptedRun(join(viaNpx, "runs"));
    await session!.kill();
    const viaNpm = copyDemoProject(tmp, "via-npm");
    expect(await ctrlCMidRun(["npm", "start", "--", "--project", viaNpm, "--config", config], REPO)).toBe(130);
    await expectInterruptedRun(join(viaNpm, "runs"));
  }, 90_000);
});

describe("Ctrl+C in a terminal while a workflow watches", () => {
  it("gives 0 through node --import tsx <workflow> --watch, and npm's 130 through npx tsx", async () => {
    const direct = copyDemoProject(tmp, "direct");
    session = startTmux([process.execPath, "--import", "tsx", "workflows/feature.ts", "--project", direct, "--dry-run", "--watch"], { cwd: REPO, dir: tmp, env: { CONCLAVE_PROJECT: undefined } });
    await session.waitForScreen(/Watching \d+ files/, 60_000);
    session.keys("C-c");
    expect(await session.waitForExit(20_000)).toBe(0);
    await session.kill();
    const viaNpx = copyDemoProject(tmp, "via-npx");
    session = startTmux(["npx", "--no-install", "tsx", "workflows/feature.ts", "--project", viaNpx, "--dry-run", "--watch"], { cwd: REPO, dir: tmp, env: { CONCLAVE_PROJECT: undefined } });
    await session.waitForScreen(/Watching \d+ files/, 60_000);
    session.keys("C-c");
    expect(await session.waitForExit(20_000)).toBe(130);
  }, 120_000);
});

describe("Ctrl+C while an agent's question is on the terminal", () => {
  it("interrupts the run (exit 4), as it does anywhere else", async () => {
    const asking = `agents:
  - id: alpha
    backend:
      type: scripted
      latency_ms: 10
      script:
        - { tool: ask_human, args: { question: "JWT or Session?" } }
        - { answer: "Sessions, as the person said." }
coordination:
  timeouts: { run: 120, generation: 60, voting: 60, presentation: 60, call: 60, idle: 60 }
`;
    const config = writeConfig(tmp, "asking.yaml", asking);
    const project = copyDemoProject(tmp, "asking");
    session = startTmux([process.execPath, "--import", "tsx", "test/fixtures/workflows/one-execute.ts", "--project", project, "--config", config], { cwd: REPO, dir: tmp, env: { CONCLAVE_PROJECT: undefined } });
    await session.waitForScreen(/An agent asks: JWT or Session\?/, 40_000);
    session.keys("C-c");
    expect(await session.waitForExit(20_000)).toBe(4);
    await expectInterruptedRun(join(project, "runs"));
  }, 60_000);
});
