import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { statusCommand } from "../../framework/runner/status-command.ts";
import { CLI, cliEnv, listFiles, makeTempDir, readJson, removeDir, REPO, runCli, startCli, writeConfig, type CliProcess } from "../support/cli-process.ts";
import { processesWith } from "../support/processes-with.ts";
import { killPids } from "../support/pty-process-tree.ts";
import { shellQuote } from "../support/pty-tmux.ts";
import { copyDemoProject, startWorkflow } from "../support/workflow-process.ts";

// Runs that take a while: every reply waits `latency` ms, so a kill lands while the run goes.
const slow = (latency: number) => `agents:
  - id: alpha
    backend: { type: scripted, latency_ms: ${latency} }
  - id: beta
    backend: { type: scripted, latency_ms: ${latency} }
coordination:
  max_rounds: 3
  timeouts: { run: 120, generation: 60, voting: 60, presentation: 60, call: 60, idle: 60 }
`;

interface Status {
  meta: { pid: number; host: string; heartbeat_at: string; last_updated: string };
  results: { status: string; status_reason?: string };
}

let tmp: string;
beforeEach(() => {
  tmp = makeTempDir("conclave-lifecycle-");
});
afterEach(() => removeDir(tmp));

const logDirOf = (line: string) => line.slice("LOG_DIR: ".length);

// A small seeded generator (mulberry32), so the moments of the kills are random yet the same on every run.
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Every JSON file of a run directory parses, and so does every line of events.jsonl.
function expectWhole(logDir: string): void {
  const files = listFiles(logDir);
  expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  for (const file of files.filter((f) => f.endsWith(".json"))) expect(() => readJson(join(logDir, file)), file).not.toThrow();
  for (const line of readFileSync(join(logDir, "events.jsonl"), "utf8").split("\n").filter(Boolean)) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
}

describe("status.json while a run goes", () => {
  it("names the run's process and host and carries a heartbeat, as run_description.json names them", async () => {
    const config = writeConfig(tmp, "slow.yaml", slow(300));
    const outcome = await runCli(["ask", "Name three risks", "--automation", "--config", config], { cwd: tmp, timeoutMs: 30_000 });
    expect(outcome.code, outcome.stderr).toBe(0);
    const logDir = logDirOf(outcome.stdout.split("\n")[0]!);
    const status = readJson<Status & { meta: Record<string, unknown> }>(join(logDir, "status.json"));
    expect(Object.keys(status.meta)).toEqual(["session_id", "run_id", "log_dir", "question", "start_time", "last_updated", "elapsed_seconds", "pid", "host", "heartbeat_at"]);
    const description = readJson<{ pid: number; host: string }>(join(logDir, "run_description.json"));
    expect(status.meta.pid).toBe(description.pid);
    expect([status.meta.host, description.host]).toEqual([hostname(), hostname()]);
    expect(typeof status.meta.pid).toBe("number");
    // The heartbeat is wall-clock time of the last write: after the run's start, no later than now.
    const beat = Date.parse(status.meta.heartbeat_at);
    expect(beat).toBeGreaterThanOrEqual(Date.parse(readJson<{ started_at: string }>(join(logDir, "run_description.json")).started_at));
    expect(beat).toBeLessThanOrEqual(Date.now());
  }, 40_000);
});

describe("conclave ask killed with SIGKILL", () => {
  it("shows each of 30 runs killed at random moments as abandoned, none as running or starting", async () => {
    const config = writeConfig(tmp, "slow.yaml", slow(4_000));
    const random = seeded(20261201);
    const killedAfter: number[] = [];
    const batch = async (n: number) => {
      const procs: CliProcess[] = [];
      for (let i = 0; i < n; i++) procs.push(startCli(["ask", `Risk number ${killedAfter.length + i}`, "--automation", "--config", config], { cwd: tmp, timeoutMs: 60_000 }));
      await Promise.all(
        procs.map(async (proc) => {
          // A moment from just after the run directory exists to well inside the run (it lasts at least 12 s).
          const delay = Math.floor(random() * 2_500);
          killedAfter.push(delay);
          await proc.waitForLine(/^LOG_DIR: /, 40_000);
          await sleep(delay);
          proc.child.kill("SIGKILL");
          expect((await proc.exited).signal).toBe("SIGKILL");
        }),
      );
    };
    for (let round = 0; round < 3; round++) await batch(10);
    expect(killedAfter).toHaveLength(30);

    const listed = await runCli(["runs", "--json"], { cwd: tmp, timeoutMs: 20_000 });
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { log_dir: string; status: string }[];
    expect(rows).toHaveLength(30);
    expect(rows.map((r) => r.status)).toEqual(Array(30).fill("abandoned"));

    // `conclave status --json` says the same of each, with why; the files themselves stay as the run left them.
    let withStatus = 0;
    for (const row of rows) {
      let out = "";
      const read = statusCommand([row.log_dir, "--json"], { stdout: { write: (s: string) => (out += s) }, env: {} }, tmp);
      let status: Status | undefined;
      try {
        await read;
        status = JSON.parse(out) as Status;
      } catch (error) {
        expect((error as Error).message).toMatch(/^`.+` was abandoned before its first status: its process \(pid \d+ on .+\) is gone, and it left no status\.json\. Nothing was decided; start the run again\.$/);
      }
      if (status) {
        withStatus++;
        expect(status.results.status).toBe("abandoned");
        expect(status.results.status_reason).toBe(`its process (pid ${status.meta.pid} on ${hostname()}) is gone`);
        expect(readJson<Status>(join(row.log_dir, "status.json")).results.status).toBe("running");
      }
      expectWhole(row.log_dir);
    }
    expect(withStatus).toBeGreaterThanOrEqual(25);
    // Through the real command too, on a run that got as far as a status.json.
    const shown = rows.find((row) => existsSync(join(row.log_dir, "status.json")))!;
    const one = await runCli(["status", shown.log_dir, "--json"], { cwd: tmp, timeoutMs: 20_000 });
    expect(one.code, one.stderr).toBe(0);
    expect((JSON.parse(one.stdout) as Status).results.status).toBe("abandoned");
    const human = await runCli(["status", shown.log_dir], { cwd: tmp, timeoutMs: 20_000 });
    expect(human.stdout.split("\n")[0]).toMatch(/ · abandoned$/);
    expect(human.stdout.split("\n")[1]).toMatch(/^Abandoned: its process \(pid \d+ on .+\) is gone; the run will not finish on its own\. Resume it where it stopped: npx conclave resume \S+$/);
    // A killed writer's half-written files are only ever in the runs directory's .staging/: the next run there removes them.
    const next = await runCli(["ask", "One more risk", "--automation", "--config", writeConfig(tmp, "quick.yaml", slow(0))], { cwd: tmp, timeoutMs: 30_000 });
    expect(next.code, next.stderr).toBe(0);
    const staging = join(tmp, ".conclave", "runs", ".staging");
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
  }, 180_000);
});

describe("conclave ask stopped by a signal", () => {
  it.each(["SIGTERM", "SIGHUP"] as const)("finalizes as interrupted on %s and exits 4, every file whole", async (signal) => {
    const config = writeConfig(tmp, "slow.yaml", slow(3_000));
    const proc = startCli(["ask", "Name three risks", "--automation", "--config", config], { cwd: tmp, timeoutMs: 30_000 });
    const logDir = logDirOf(await proc.waitForLine(/^LOG_DIR: /, 20_000));
    const sentAt = Date.now();
    proc.child.kill(signal);
    const { code, signal: killedBy, stderr } = await proc.exited;
    expect(killedBy).toBeNull();
    expect(code).toBe(4);
    expect(Date.now() - sentAt).toBeLessThan(2_500); // sooner than the replies' 3 s: the calls in flight were aborted
    expect(stderr).toContain(`\nInterrupted by ${signal}: finishing the run (send it again to quit at once).\n`);
    expect(readJson<Status>(join(logDir, "status.json")).results.status).toBe("interrupted");
    expect(readJson<Status>(join(logDir, "result.json"))).toMatchObject({ status: "interrupted", status_reason: `interrupted by ${signal}` });
    expectWhole(logDir);
  }, 40_000);
});

describe("conclave ask whose terminal closes", () => {
  it("finalizes as interrupted on the SIGHUP, though every write to the terminal now fails", async ({ onTestFinished }) => {
    const config = writeConfig(tmp, "slow.yaml", slow(3_000));
    // The command is the pane itself (no shell, no \`script\` between), so closing the terminal hangs up on it as closing a window does.
    const socket = join(tmp, "hup.sock");
    const tmux = (...args: string[]) => execFileSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { env: cliEnv(), encoding: "utf8", timeout: 5_000 });
    const command = [process.execPath, CLI, "ask", "Name three risks", "--config", config, "--runs-dir", join(tmp, "runs")].map(shellQuote).join(" ");
    tmux("new-session", "-d", "-s", "main", "-x", "120", "-y", "40", `exec ${command}`);
    const pid = Number(tmux("display-message", "-p", "-t", "main", "#{pane_pid}").trim());
    onTestFinished(() => killPids([pid]));
    for (let i = 0; i < 200 && !/generation · round 1/.test(tmux("capture-pane", "-p", "-t", "main")); i++) await sleep(50);
    const [id] = readdirSync(join(tmp, "runs")).filter((n) => !n.startsWith("."));
    const logDir = join(tmp, "runs", id!);
    tmux("kill-server");
    // status.json may not be written yet (the view shows the phase as the file is staged): missing counts as not done.
    const status = () => (existsSync(join(logDir, "status.json")) ? readJson<Status>(join(logDir, "status.json")).results.status : undefined);
    for (let i = 0; i < 100 && (status() ?? "running") === "running"; i++) await sleep(50);
    expect(status()).toBe("interrupted");
    expect(readJson<Status>(join(logDir, "result.json"))).toMatchObject({ status: "interrupted", status_reason: "interrupted by SIGHUP" });
    expectWhole(logDir);
  }, 40_000);
});

describe("a workflow stopped by a signal", () => {
  it.each(["SIGTERM", "SIGHUP"] as const)("finalizes its current run as interrupted on %s and exits 4", async (signal) => {
    const project = copyDemoProject(tmp);
    const config = writeConfig(tmp, "slow.yaml", slow(3_000));
    const proc = startWorkflow("workflows/feature.ts", ["--project", project, "--config", config, "--automation"], { timeoutMs: 40_000 });
    const logDir = logDirOf(await proc.waitForLine(/^LOG_DIR: /, 30_000));
    proc.child.kill(signal);
    const outcome = await proc.exited;
    expect(outcome.signal).toBeNull();
    expect(outcome.code, outcome.stderr).toBe(4);
    expect(outcome.stderr).toContain(`\nInterrupted by ${signal}: finishing the current run (send it again to quit at once).\n`);
    expect(outcome.stdout.split("\n").filter(Boolean).at(-1)).toBe("WORKFLOW: interrupted");
    expect(readJson<Status>(join(logDir, "status.json")).results.status).toBe("interrupted");
    expect(readJson<Status>(join(logDir, "result.json"))).toMatchObject({ status: "interrupted", status_reason: `interrupted by ${signal}` });
    expectWhole(logDir);
  }, 60_000);
});

describe("npx conclave ask whose npx is killed", () => {
  // `npx conclave` in the repository runs bin/conclave.js under `sh -c`, under npm.
  const startNpx = (marker: string) => {
    const config = writeConfig(tmp, "slow.yaml", slow(20_000));
    return startCli(["ask", marker, "--automation", "--config", config, "--runs-dir", join(tmp, "runs")], { cwd: REPO, command: ["npx", "--no-install", "conclave"], timeoutMs: 60_000 });
  };

  it("leaves no conclave process 5 s after SIGTERM to npx, and the run interrupted", async () => {
    const marker = `npx-sigterm-${process.pid}-${Date.now()}`;
    const proc = startNpx(marker);
    const logDir = logDirOf(await proc.waitForLine(/^LOG_DIR: /, 40_000));
    expect(processesWith(marker).length).toBeGreaterThanOrEqual(2); // npm and node, at least
    proc.child.kill("SIGTERM");
    await sleep(5_000);
    expect(processesWith(marker)).toEqual([]);
    expect(readJson<Status>(join(logDir, "status.json")).results.status).toBe("interrupted");
    expectWhole(logDir);
  }, 70_000);

  it("finalizes as interrupted within 2 s of SIGKILL to npx, since its launcher is gone", async () => {
    const marker = `npx-sigkill-${process.pid}-${Date.now()}`;
    const proc = startNpx(marker);
    const logDir = logDirOf(await proc.waitForLine(/^LOG_DIR: /, 40_000));
    proc.child.kill("SIGKILL");
    const killedAt = Date.now();
    let status = "running";
    while (status === "running" && Date.now() - killedAt < 10_000) {
      await sleep(50);
      status = readJson<Status>(join(logDir, "status.json")).results.status;
    }
    const took = Date.now() - killedAt;
    expect(status).toBe("interrupted");
    expect(took).toBeLessThanOrEqual(2_000);
    const result = readJson<{ status: string; status_reason: string }>(join(logDir, "result.json"));
    expect(result.status).toBe("interrupted");
    expect(result.status_reason).toMatch(/^interrupted: the process that started it \(pid \d+\) is gone$/);
    for (let i = 0; i < 100 && processesWith(marker).length > 0; i++) await sleep(50);
    expect(processesWith(marker)).toEqual([]);
    expectWhole(logDir);
  }, 70_000);
});
