import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { statusCommand } from "../../framework/runner/status-command.ts";
import { run } from "../../framework/runs/run.ts";
import { makeTempDir, readJson, removeDir, runCli, startCli, writeConfig } from "../support/cli-process.ts";

interface Status {
  meta: { run_id: string; log_dir: string };
  agents: Record<string, { status: string; answer_count: number; latest_answer_label: string | null; vote: string | null; tokens: { input: number; output: number } }>;
  results: { status: string; winner: string | null; winner_reason: string | null; final_answer_path: string | null };
  usage: { input_tokens: number; output_tokens: number; cached_tokens: number; llm_calls: number };
}

const ESC = "\x1b";
const HINT = "Pass a run directory such as `.conclave/runs/<run-id>`, its status.json, or `latest`.";
// The header line: run id, phase, round, completion, elapsed, status.
const HEADER = /^(\d{8}-\d{6}-[0-9a-f]{12}) {2}(\w+) · round (\d+) · (\d+)% · [\d.]+ s · (\w+)/;

// `LOG_DIR: <dir>` → <dir>
function logDirOf(stdout: string): string {
  const match = /^LOG_DIR: (.+)$/m.exec(stdout);
  if (!match) throw new Error(`no LOG_DIR line in stdout:\n${stdout}`);
  return match[1]!;
}

let tmp: string;
let logDir: string;
beforeAll(async () => {
  tmp = makeTempDir("conclave-status-");
  const ask = await runCli(["ask", "Design a cache for the API\nKeep it short.", "--dry-run", "--automation"], { cwd: tmp });
  if (ask.code !== 0) throw new Error(`ask exited ${ask.code}: ${ask.stderr}`);
  logDir = logDirOf(ask.stdout);
});
afterAll(() => removeDir(tmp));

describe.concurrent("conclave status on a finished run", () => {
  it("shows phase finalization, 100%, completed, each agent, the winner, the final answer and the usage for `latest`", async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(["status", "latest"], { cwd: tmp });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).not.toContain(ESC);
    const status = readJson<Status>(join(logDir, "status.json"));
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(HEADER);
    const [, runId, phase, , pct, result] = HEADER.exec(lines[0]!)!;
    expect([runId, phase, pct, result]).toEqual([basename(logDir), "finalization", "100", "completed"]);
    expect(lines[1]).toBe("Question: Design a cache for the API …");
    expect(lines[3]).toMatch(/^agent {2}status +answers {2}latest +vote +tokens +cost {2}error$/);
    for (const [id, a] of Object.entries(status.agents)) {
      const row = new RegExp(`^${id} +${a.status} +${a.answer_count} {2}${a.latest_answer_label} +${a.vote} +${a.tokens.input + a.tokens.output} {2}\\$0\\.0000$`, "m");
      expect(stdout).toMatch(row);
    }
    const r = status.results;
    expect(r.winner).not.toBeNull();
    expect(stdout).toContain(`\nWinner: ${r.winner} (${r.winner_reason})\nFinal answer: ${r.final_answer_path}\n`);
    const u = status.usage;
    expect(stdout).toContain(`\nUsage: ${u.input_tokens} input, ${u.output_tokens} output, ${u.cached_tokens} cached tokens · cost $0.0000 · ${u.llm_calls} LLM calls\n`);
    expect(stdout.endsWith(`Run directory: ${logDir}\n`)).toBe(true);
  });

  it("says how to resume an interrupted run, under its header", async ({ expect }) => {
    const runsDir = join(tmp, "interrupted-runs");
    const stop = new AbortController();
    stop.abort("interrupted");
    const result = await run({ task: "Design a cache for the API", config: { agents: [{ id: "alpha", backend: { type: "scripted" } }] }, runsDir, signal: stop.signal, clock: new SimulatedClock(), env: {} });
    expect(result.status).toBe("interrupted");
    const { code, stdout } = await runCli(["status", result.log_dir], { cwd: tmp });
    expect(code).toBe(0);
    expect(stdout.split("\n")[1]).toBe(`Interrupted before it finished. Resume it where it stopped: npx conclave resume ${result.log_dir}`);
  });

  it("prints status.json as it is with --json, given the path of status.json", async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(["status", join(".conclave", "runs", basename(logDir), "status.json"), "--json"], { cwd: tmp });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const file = readFileSync(join(logDir, "status.json"), "utf8");
    expect(JSON.parse(stdout)).toEqual(JSON.parse(file));
    expect(stdout.trimEnd()).toBe(file.trimEnd());
  });

  it("exits 1 and says where it looked when there is no run", async ({ expect }) => {
    const empty = makeTempDir("conclave-status-empty-");
    try {
      const { code, stdout, stderr } = await runCli(["status"], { cwd: empty });
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `conclave: no run found: expected a run directory (one with run_description.json) in \`.conclave/runs/\` or \`projects/*/runs/\` under ${empty}, found none. Start one with \`npx conclave ask "<task>"\` (or \`npx conclave run <workflow.ts>\`), or pass a run directory: \`conclave status <run-dir>\`.\n`,
      );
    } finally {
      removeDir(empty);
    }
  });

  it("exits 1 on a path that is not a run directory, and says what it found", async ({ expect }) => {
    mkdirSync(join(tmp, "notes"), { recursive: true });
    writeFileSync(join(tmp, "notes", "todo.md"), "- nothing\n");
    const { code, stdout, stderr } = await runCli(["status", "notes"], { cwd: tmp });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`conclave: \`notes\` is not a run directory: expected run_description.json in it, found 1 entry (todo.md). ${HINT}\n`);
  });
});

// The same command in this process (statusCommand with the temp dir as its working directory): the other ways to name a run.
describe("statusCommand()", () => {
  const call = async (...args: string[]) => {
    let out = "";
    const code = await statusCommand(args, { stdout: { write: (s: string) => (out += s) }, env: {} }, tmp);
    return { code, out };
  };

  it("finds the run by its directory, its run id, or nothing at all", async ({ expect }) => {
    const latest = await call("latest");
    for (const args of [[], [logDir], [basename(logDir)], [join(".conclave", "runs", basename(logDir))]]) {
      expect(await call(...args), args.join(" ")).toEqual(latest);
    }
  });

  it("rejects a file other than status.json, a directory of runs and a missing path, saying what to pass", async ({ expect }) => {
    writeFileSync(join(tmp, "todo.md"), "- nothing\n");
    await expect(call("todo.md")).rejects.toThrow(`\`todo.md\` is not a run directory: expected a run directory or the status.json in one, found a file that is not. ${HINT}`);
    await expect(call(join(".conclave", "runs"))).rejects.toThrow(
      `\`.conclave/runs\` is not a run directory: expected run_description.json in it, found 1 entry (${basename(logDir)}). It holds run directories: pass one, such as \`.conclave/runs/${basename(logDir)}\` (the latest).`,
    );
    await expect(call("nowhere")).rejects.toThrow(
      `\`nowhere\` does not exist: expected a run directory, its status.json, or a run id under \`.conclave/runs/\` or \`projects/*/runs/\`. ${HINT}`,
    );
    await expect(call("a", "b")).rejects.toThrow("`conclave status` takes one run, got 2: a b. Pass one run directory, or none for the latest run.");
    await expect(call("--bogus")).rejects.toThrow("Unknown option '--bogus'. Run `conclave status --help` for the options.");
  });
});

describe("conclave status on a run that is still going", () => {
  it("shows the current phase and `running`, and exits 0 each time", async ({ expect }) => {
    const cwd = makeTempDir("conclave-status-live-");
    try {
      // Each agent revises once, so the run lasts four turns of 0.8 s: generation, two voting rounds, presentation.
      const agent = (id: string) => `  - id: ${id}
    backend:
      type: scripted
      latency_ms: 800
      script:
        - answer: "${id} draft: an LRU cache in front of the database."
        - answer: "${id} revision: write-through ${id} cache, TTL per key, metrics on hit rate and evictions, warm start."
`;
      const config = writeConfig(cwd, "slow.yaml", `agents:\n${agent("alpha")}${agent("beta")}${agent("gamma")}coordination:\n  max_rounds: 3\n`);
      const ask = startCli(["ask", "Design a cache", "--dry-run", "--automation", "--config", config], { cwd, timeoutMs: 20_000 });
      let finished = false;
      void ask.exited.then(() => (finished = true));
      const dir = logDirOf(`${await ask.waitForLine(/^LOG_DIR: /, 10_000)}\n`);

      // Two `conclave status <dir>` processes 0.4 s apart and, meanwhile, a read in this process every 50 ms until the run ends (at most 15 s).
      const first = runCli(["status", dir], { cwd, timeoutMs: 10_000 });
      const second = new Promise<void>((resolve) => setTimeout(resolve, 400)).then(() => runCli(["status", dir], { cwd, timeoutMs: 10_000 }));
      const inProcess: string[] = [];
      for (const deadline = Date.now() + 15_000; !finished && Date.now() < deadline; ) {
        let out = "";
        const code = await statusCommand([dir], { stdout: { write: (s: string) => (out += s) }, env: {} }, cwd);
        expect(code).toBe(0);
        inProcess.push(out);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const outcomes = await Promise.all([first, second]);
      const done = await ask.exited;
      expect(done.code, done.stderr).toBe(0);

      for (const o of outcomes) {
        expect(o.stderr).toBe("");
        expect(o.code).toBe(0);
      }
      let running = 0;
      for (const out of [...outcomes.map((o) => o.stdout), ...inProcess]) {
        const header = HEADER.exec(out.split("\n")[0]!);
        expect(header, out).not.toBeNull();
        const [, runId, phase, , pct, result] = header!;
        expect(runId).toBe(basename(dir));
        if (result === "running") {
          running++;
          expect(["planning", "generation", "voting", "presentation"]).toContain(phase);
          expect(Number(pct)).toBeLessThan(100);
          expect(out.split("\n")[0]).toMatch(/ · running \(updated [\d.]+ s ago\)$/);
          expect(out).toContain("\nFinal answer: not yet\n");
        } else {
          expect([phase, pct, result]).toEqual(["finalization", "100", "completed"]);
        }
      }
      // The first child process reads well inside the run (about 3 s long), and the loop reads all through it.
      expect(HEADER.exec(outcomes[0]!.stdout)?.[5]).toBe("running");
      expect(running).toBeGreaterThanOrEqual(5);
    } finally {
      removeDir(cwd);
    }
  });
});
