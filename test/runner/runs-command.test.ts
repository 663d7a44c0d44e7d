import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { runsCommand } from "../../framework/runner/runs-command.ts";
import { makeTempDir, readJson, removeDir, runCli } from "../support/cli-process.ts";

interface Row {
  run_id: string;
  step?: string;
  status: string;
  winner: string | null;
  cost_usd: number | null;
  elapsed_seconds: number;
  log_dir: string;
  task: string;
}

const ESC = "\x1b";

// `LOG_DIR: <dir>` → <dir>
function logDirOf(stdout: string): string {
  const match = /^LOG_DIR: (.+)$/m.exec(stdout);
  if (!match) throw new Error(`no LOG_DIR line in stdout:\n${stdout}`);
  return match[1]!;
}

// A project with a hand-written runs/index.json: two finished steps.
const INDEX = {
  runs: [
    {
      run_id: "20261120-090000-aaaaaaaaaaaa",
      step: "plan",
      workflow: "feature",
      status: "completed",
      winner: "beta",
      cost_usd: 0.0123,
      started_at: "2026-11-20T09:00:00.000Z",
      elapsed_seconds: 42.5,
      log_dir: "/somewhere/projects/shop/runs/20261120-090000-aaaaaaaaaaaa",
      task: "Plan the WebSocket support",
    },
    {
      run_id: "20261120-091000-bbbbbbbbbbbb",
      step: "execute-1",
      workflow: "feature",
      status: "budget_exceeded",
      winner: null,
      cost_usd: null,
      started_at: "2026-11-20T09:10:00.000Z",
      elapsed_seconds: 185,
      log_dir: "/somewhere/projects/shop/runs/20261120-091000-bbbbbbbbbbbb",
      task: "Add the upgrade handler to server.ts and a test for it, then update the docs and the changelog with the new endpoint",
    },
  ],
};

let tmp: string;
const runs: Row[] = [];
beforeAll(async () => {
  tmp = makeTempDir("conclave-runs-");
  for (const task of ["First question", "Second question"]) {
    const ask = await runCli(["ask", task, "--dry-run", "--automation"], { cwd: tmp });
    if (ask.code !== 0) throw new Error(`ask exited ${ask.code}: ${ask.stderr}`);
    runs.push(readJson<Row>(join(logDirOf(ask.stdout), "result.json")));
  }
  const project = join(tmp, "projects", "shop");
  mkdirSync(join(project, "runs"), { recursive: true });
  writeFileSync(join(project, "CONTEXT.md"), "# Shop\n");
  writeFileSync(join(project, "runs", "index.json"), JSON.stringify(INDEX, null, 2));
});
afterAll(() => removeDir(tmp));

describe.concurrent("conclave runs", () => {
  it("lists the runs under .conclave/runs, newest last, with their winners", async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(["runs"], { cwd: tmp });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).not.toContain(ESC);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^run {27}status {5}winner {5}cost {2}duration {2}task$/);
    expect(lines[1]).toMatch(/^-{28} {2}-{9} {2}-+ {2}-{7} {2}-{8} {2}-+$/);
    const [first, second] = runs;
    for (const [i, run] of [first!, second!].entries()) {
      expect(lines[2 + i]).toMatch(new RegExp(`^${run.run_id} {2}completed {2}${run.winner} +\\$0\\.0000 +[\\d.]+ s {2}${run.run_id === first!.run_id ? "First" : "Second"} question$`));
    }
    expect(lines.slice(4)).toEqual(["", "2 runs in `.conclave/runs/`, newest last.", ""]);
  });

  it("prints a JSON array with --json", async ({ expect }) => {
    const { code, stdout } = await runCli(["runs", "--json"], { cwd: tmp });
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Row[];
    expect(rows.map((r) => [r.run_id, r.status, r.winner, r.task])).toEqual([
      [runs[0]!.run_id, "completed", runs[0]!.winner, "First question"],
      [runs[1]!.run_id, "completed", runs[1]!.winner, "Second question"],
    ]);
    expect(rows[1]!.log_dir).toBe(join(tmp, ".conclave", "runs", runs[1]!.run_id));
  });

  it("shows only the newest run with --limit 1", async ({ expect }) => {
    const { code, stdout } = await runCli(["runs", "--limit", "1"], { cwd: tmp });
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[2]).toMatch(new RegExp(`^${runs[1]!.run_id} {2}completed {2}`));
    expect(lines[4]).toBe("The newest 1 of 2 runs in `.conclave/runs/`, newest last.");
  });

  it("reads a project's runs/index.json, with each run's step", async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(["runs", join("projects", "shop")], { cwd: tmp });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        "run                           step       status           winner     cost  duration  task",
        "----------------------------  ---------  ---------------  ------  -------  --------  ------------------------------------------------------------",
        "20261120-090000-aaaaaaaaaaaa  plan       completed        beta    $0.0123    42.5 s  Plan the WebSocket support",
        "20261120-091000-bbbbbbbbbbbb  execute-1  budget_exceeded  -           n/a  3 m 05 s  Add the upgrade handler to server.ts and a test for it, the…",
        "",
        "2 runs in `projects/shop/runs/index.json`, newest last.",
        "",
      ].join("\n"),
    );
  });

  it("exits 1 on a project that does not exist, and says where it looked", async ({ expect }) => {
    const { code, stdout, stderr } = await runCli(["runs", "nope"], { cwd: tmp });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `conclave: project \`nope\` not found: expected a directory at \`nope\` or \`projects/nope\` under ${tmp}, found neither. Pass a project directory (such as \`projects/demo\`), a project name under ./projects/, or nothing to list ./.conclave/runs/.\n`,
    );
  });
});

// The same command in this process (runsCommand with a temp dir as its working directory).
describe("runsCommand()", () => {
  const call = async (cwd: string, ...args: string[]) => {
    let out = "";
    const code = await runsCommand(args, { stdout: { write: (s: string) => (out += s) }, env: {} }, cwd);
    return { code, out };
  };

  it("finds a project by its name under ./projects and gives its index as JSON", async ({ expect }) => {
    const { code, out } = await call(tmp, "shop", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(INDEX.runs);
  });

  it("shows a run that is still going as running, from its status.json", async ({ expect }) => {
    const cwd = makeTempDir("conclave-runs-live-");
    try {
      // A copy of a finished run, made to look as if it were still going: no result.json, status running.
      const dir = join(cwd, ".conclave", "runs", "20991231-235959-cccccccccccc");
      cpSync(runs[1]!.log_dir, dir, { recursive: true });
      rmSync(join(dir, "result.json"));
      const status = readJson<{ results: { status: string; winner: string | null }; meta: { elapsed_seconds: number; pid: number } }>(join(dir, "status.json"));
      status.results = { ...status.results, status: "running", winner: null };
      status.meta.elapsed_seconds = 3.4;
      status.meta.pid = process.pid; // this test's process, which is alive
      writeFileSync(join(dir, "status.json"), JSON.stringify(status));
      const { code, out } = await call(cwd);
      expect(code).toBe(0);
      expect(out.split("\n")[2]).toBe("20991231-235959-cccccccccccc  running  -       $0.0000     3.4 s  Second question");
    } finally {
      removeDir(cwd);
    }
  });

  it("shows a run whose process is gone as abandoned, with or without a status.json", async ({ expect }) => {
    const cwd = makeTempDir("conclave-runs-abandoned-");
    try {
      // The finished run's status.json, made to look as if its process (which has exited) were still going.
      const dir = join(cwd, ".conclave", "runs", "20991231-235959-cccccccccccc");
      cpSync(runs[1]!.log_dir, dir, { recursive: true });
      rmSync(join(dir, "result.json"));
      const status = readJson<{ results: { status: string; winner: string | null }; meta: { pid: number; host: string; heartbeat_at: string } }>(join(dir, "status.json"));
      expect(status.meta.host).toBe(hostname());
      status.results = { ...status.results, status: "running", winner: null };
      writeFileSync(join(dir, "status.json"), JSON.stringify(status));
      // A run killed before its first status.json: its description names a process that is gone, and one written before pids were recorded is long past its start.
      const early = join(cwd, ".conclave", "runs", "20991231-235960-dddddddddddd");
      mkdirSync(early, { recursive: true });
      writeFileSync(join(early, "run_description.json"), JSON.stringify({ task: "Killed early", started_at: new Date().toISOString(), pid: status.meta.pid, host: hostname() }));
      const legacy = join(cwd, ".conclave", "runs", "20261120-092000-eeeeeeeeeeee");
      mkdirSync(legacy, { recursive: true });
      writeFileSync(join(legacy, "run_description.json"), JSON.stringify({ task: "Old and silent", started_at: "2026-11-20T09:20:00.000Z" }));
      const rows = JSON.parse((await call(cwd, "--json")).out) as Row[];
      expect(rows.map((r) => [r.run_id, r.status])).toEqual([
        ["20261120-092000-eeeeeeeeeeee", "abandoned"],
        ["20991231-235959-cccccccccccc", "abandoned"],
        ["20991231-235960-dddddddddddd", "abandoned"],
      ]);
    } finally {
      removeDir(cwd);
    }
  });

  it("adds a project's runs still going after its index", async ({ expect }) => {
    const project = join(tmp, "projects", "shop");
    const going = join(project, "runs", "20261120-092000-dddddddddddd");
    mkdirSync(going, { recursive: true });
    writeFileSync(join(going, "run_description.json"), JSON.stringify({ task: "Verify the upgrade", step_id: "verify-1", started_at: new Date().toISOString(), pid: process.pid, host: hostname() }));
    try {
      const rows = JSON.parse((await call(tmp, "shop", "--json")).out) as Row[];
      expect(rows.map((r) => [r.run_id, r.step, r.status])).toEqual([
        ["20261120-090000-aaaaaaaaaaaa", "plan", "completed"],
        ["20261120-091000-bbbbbbbbbbbb", "execute-1", "budget_exceeded"],
        ["20261120-092000-dddddddddddd", "verify-1", "starting"],
      ]);
    } finally {
      removeDir(going);
    }
  });

  it("says how to start a run when there is none", async ({ expect }) => {
    const cwd = makeTempDir("conclave-runs-empty-");
    try {
      expect(await call(cwd)).toEqual({ code: 0, out: 'No runs in `.conclave/runs/` yet. Start one with `npx conclave ask "<task>"`.\n' });
      expect(await call(cwd, "--json")).toEqual({ code: 0, out: "[]\n" });
    } finally {
      removeDir(cwd);
    }
  });

  it("rejects a bad --limit, a directory that is not a project and two projects", async ({ expect }) => {
    await expect(call(tmp, "--limit", "0")).rejects.toThrow('`--limit` must be a whole number of runs, 1 or more, got "0". Pass, for example, `--limit 10`.');
    await expect(call(tmp, "--limit", "-2")).rejects.toThrow('`--limit` must be a whole number of runs, 1 or more, got "-2". Pass, for example, `--limit 10`.');
    await expect(call(tmp, "projects")).rejects.toThrow(
      "`projects` is not a project: expected CONTEXT.md or runs/index.json in it, or run directories, found neither. Pass a project directory such as `projects/demo` (`npx conclave init <name>` makes one).",
    );
    await expect(call(tmp, "a", "b")).rejects.toThrow("`conclave runs` takes one project, got 2: a b. Pass one project directory, or none to list ./.conclave/runs/.");
  });
});
