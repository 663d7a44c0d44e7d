import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, listFiles, makeTempDir, onlyRunDir, readJson, removeDir, REPO, runCli, startCli, writeConfig, type StartOptions } from "../support/cli-process.ts";

// Three quick scripted agents, like configs/offline.yaml.
const OFFLINE = `agents:
  - id: alpha
    system: You are a pragmatic senior engineer.
    backend: { type: scripted, latency_ms: 20 }
  - id: beta
    system: You are a careful reviewer who looks for risks.
    backend: { type: scripted, latency_ms: 30 }
  - id: gamma
    system: You are a product-minded generalist.
    backend: { type: scripted, latency_ms: 40 }
coordination:
  max_rounds: 4
  timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 10 }
`;

const ESC = "\x1b";

interface StatusFile {
  coordination: { phase: string; completion_percentage: number; is_final_presentation: boolean };
  results: { status: string; winner: string | null; final_answer_path: string | null };
}

interface ResultFile {
  status: string;
  winner: string | null;
  winner_reason: string | null;
  final_answer_path: string | null;
  elapsed_seconds: number;
  agents: Record<string, { status: string; error: string | null }>;
}

let tmp: string;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => removeDir(tmp));

const runsDir = () => join(tmp, ".conclave", "runs");

// `LOG_DIR: <dir>` → <dir>
function logDirOf(stdout: string): string {
  const match = /^LOG_DIR: (.+)$/m.exec(stdout);
  if (!match) throw new Error(`no LOG_DIR line in stdout:\n${stdout}`);
  return match[1]!;
}

describe("conclave ask --automation", () => {
  it("prints the LOG_DIR, phase, winner, final answer and elapsed lines and nothing else", async () => {
    const config = writeConfig(tmp, "offline.yaml", OFFLINE);
    const { code, stdout, stderr } = await runCli(["ask", "Design a cache", "--dry-run", "--automation", "--config", config], { cwd: tmp });

    expect(stderr).toBe("Dry run: every agent uses the offline scripted backend.\n");
    expect(code).toBe(0);
    expect(stdout).not.toContain(ESC);
    expect(stderr).not.toContain(ESC);
    expect(stdout.endsWith("\n")).toBe(true);
    const lines = stdout.slice(0, -1).split("\n");
    expect(lines).toHaveLength(9);

    const logDir = logDirOf(stdout);
    expect(lines[0]).toBe(`LOG_DIR: ${logDir}`);
    expect(isAbsolute(logDir)).toBe(true);
    expect(statSync(logDir).isDirectory()).toBe(true);
    expect(relative(runsDir(), logDir)).toMatch(/^[^./\\][^/\\]*$/);
    expect(lines.slice(1, 6)).toEqual([
      "Phase: planning (5%)",
      "Phase: generation (10%)",
      "Phase: voting (40%)",
      "Phase: presentation (85%)",
      "Phase: finalization (100%)",
    ]);
    const winnerLine = /^Winner: (alpha|beta|gamma) \((.+)\)$/.exec(lines[6]!);
    expect(winnerLine, lines[6]).not.toBeNull();
    const winner = winnerLine![1]!;
    const answerPath = join(logDir, "final", winner, "answer.txt");
    expect(lines[7]).toBe(`Final answer: ${answerPath}`);
    expect(existsSync(answerPath)).toBe(true);
    expect(lines[8]).toMatch(/^Elapsed: \d+(\.\d+)? seconds$/);

    const result = readJson<ResultFile>(join(logDir, "result.json"));
    expect(result.status).toBe("completed");
    expect(result.winner).toBe(winner);
    expect(lines[6]).toBe(`Winner: ${winner} (${result.winner_reason})`);
    expect(result.final_answer_path).toBe(answerPath);
    expect(lines[8]).toBe(`Elapsed: ${result.elapsed_seconds} seconds`);
  });

  it("writes the run directory: description, final status.json, events, result and every agent's first answer", async () => {
    const config = writeConfig(tmp, "offline.yaml", OFFLINE);
    const { code, stdout } = await runCli(["ask", "Design a cache", "--dry-run", "--automation", "--config", config], { cwd: tmp });
    expect(code).toBe(0);
    const logDir = logDirOf(stdout);
    expect(onlyRunDir(runsDir())).toBe(logDir);

    const description = readJson<{ task: string; command: string }>(join(logDir, "run_description.json"));
    expect(description.task).toBe("Design a cache");
    expect(description.command).toBe("ask");

    const status = readJson<StatusFile>(join(logDir, "status.json"));
    expect(status.results.status).toBe("completed");
    expect(status.coordination.phase).toBe("finalization");
    expect(status.coordination.completion_percentage).toBe(100);
    expect(status.coordination.is_final_presentation).toBe(true);

    const events = readFileSync(join(logDir, "events.jsonl"), "utf8").split("\n").filter(Boolean);
    expect(events.length).toBeGreaterThan(0);
    const types = events.map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types.at(-1)).toBe("run.finished");

    const result = readJson<ResultFile>(join(logDir, "result.json"));
    expect(result.status).toBe("completed");
    expect(status.results.winner).toBe(result.winner);
    expect(status.results.final_answer_path).toBe(result.final_answer_path);
    for (const id of ["alpha", "beta", "gamma"]) {
      expect(readFileSync(join(logDir, "agents", id, "answer-1.md"), "utf8").trim().length).toBeGreaterThan(0);
    }
    expect(listFiles(logDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("conclave ask exit codes", () => {
  it("exits 0 when the run completes", async () => {
    const config = writeConfig(tmp, "offline.yaml", OFFLINE);
    const { code } = await runCli(["ask", "Name three risks", "--automation", "--config", config], { cwd: tmp });
    expect(code).toBe(0);
    expect(readJson<ResultFile>(join(onlyRunDir(runsDir()), "result.json")).status).toBe("completed");
  });

  it("exits 2 and names the failure when every agent fails", async () => {
    const config = writeConfig(
      tmp,
      "team.yaml",
      `agents:
  - id: alpha
    backend: { type: scripted, fail: { times: always, kind: auth } }
  - id: beta
    backend: { type: scripted, fail: { times: always, kind: auth } }
`,
    );
    const { code, stderr, stdout } = await runCli(["ask", "Name three risks", "--automation", "--config", config], { cwd: tmp });
    expect(code).toBe(2);
    expect(stderr).toBe(
      "failed: no agent answered. alpha: scripted agent `alpha`: simulated auth error on call 1; beta: scripted agent `beta`: simulated auth error on call 1\n",
    );
    expect(stdout).not.toMatch(/^Winner:/m);
    const logDir = logDirOf(stdout);
    expect(readJson<StatusFile>(join(logDir, "status.json")).results.status).toBe("failed");
    expect(readJson<ResultFile>(join(logDir, "result.json")).status).toBe("failed");
  });

  it("exits 3 when the global --timeout passes while every agent hangs", async () => {
    const config = writeConfig(
      tmp,
      "team.yaml",
      `agents:
  - id: alpha
    backend: { type: scripted, hang: true }
  - id: beta
    backend: { type: scripted, hang: true }
`,
    );
    const { code, stderr, stdout, ms } = await runCli(["ask", "Name three risks", "--automation", "--timeout", "1", "--config", config], { cwd: tmp });
    expect(code).toBe(3);
    expect(stderr).toBe("timeout: the run's timeout of 1 s passed (coordination.timeouts.run)\n");
    expect(ms).toBeLessThan(10_000);
    const logDir = logDirOf(stdout);
    const status = readJson<StatusFile>(join(logDir, "status.json"));
    expect(status.results.status).toBe("timeout");
    expect(status.coordination.phase).toBe("finalization");
    expect(status.coordination.completion_percentage).toBe(100);
    const result = readJson<ResultFile>(join(logDir, "result.json"));
    expect(result.status).toBe("timeout");
    expect(result.elapsed_seconds).toBeGreaterThanOrEqual(1);
    expect(result.elapsed_seconds).toBeLessThan(3);
  });

  // Bug: on the run's deadline (markRunTimeout) the agents still pending are not marked; the final
  // status.json and result.json show the hung agent as "working" with no error (docs/architecture.md §3: timed_out).
  it("marks an agent still working when the run's timeout passes as timed_out", async () => {
    const config = writeConfig(
      tmp,
      "team.yaml",
      `agents:
  - id: alpha
    backend: { type: scripted, hang: true }
  - id: beta
    backend: { type: scripted, latency_ms: 10 }
`,
    );
    const { code, stdout } = await runCli(["ask", "Name three risks", "--automation", "--timeout", "1", "--config", config], { cwd: tmp });
    expect(code).toBe(3);
    const logDir = logDirOf(stdout);
    const result = readJson<ResultFile>(join(logDir, "result.json"));
    expect(result.winner).toBe("beta");
    expect(result.agents.alpha?.status).toBe("timed_out");
    expect(readJson<{ agents: Record<string, { status: string }> }>(join(logDir, "status.json")).agents.alpha?.status).toBe("timed_out");
  });

  it("exits 4 on Ctrl+C, leaving status interrupted and every JSON file whole", async () => {
    const config = writeConfig(
      tmp,
      "team.yaml",
      `agents:
  - id: alpha
    backend: { type: scripted, latency_ms: 3000 }
  - id: beta
    backend: { type: scripted, latency_ms: 3000 }
`,
    );
    const proc = startCli(["ask", "Name three risks", "--automation", "--config", config], { cwd: tmp, timeoutMs: 15_000 });
    const line = await proc.waitForLine(/^LOG_DIR: /, 10_000);
    const logDir = line.slice("LOG_DIR: ".length);
    const sentAt = Date.now();
    proc.child.kill("SIGINT");
    const { code, signal, stderr } = await proc.exited;
    expect(signal).toBeNull();
    expect(code).toBe(4);
    // Sooner than the agents' 3 s latency: the calls in flight were aborted.
    expect(Date.now() - sentAt).toBeLessThan(2_500);
    expect(stderr).toContain("Interrupted: finishing the run (press Ctrl+C again to quit at once).\n");

    const status = readJson<StatusFile>(join(logDir, "status.json"));
    expect(status.results.status).toBe("interrupted");
    expect(status.coordination.phase).toBe("finalization");
    expect(readJson<ResultFile>(join(logDir, "result.json")).status).toBe("interrupted");
    const files = listFiles(logDir);
    expect(files).toEqual(expect.arrayContaining(["events.jsonl", "result.json", "run_description.json", "status.json"]));
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    for (const file of files.filter((f) => f.endsWith(".json"))) {
      expect(() => readJson(join(logDir, file)), file).not.toThrow();
    }
    for (const event of readFileSync(join(logDir, "events.jsonl"), "utf8").split("\n").filter(Boolean)) {
      expect(() => JSON.parse(event) as unknown, event).not.toThrow();
    }
  });
});

describe("conclave ask with bad input", () => {
  // Runs `conclave ask ...args` in the temp dir; expects exit 1, no stdout and no run directory; returns stderr.
  async function usageError(args: string[]): Promise<string> {
    const { code, stdout, stderr } = await runCli(["ask", ...args], { cwd: tmp });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(existsSync(join(tmp, ".conclave"))).toBe(false);
    expect(stderr).not.toContain(ESC);
    return stderr;
  }
  const OK = "agents:\n  - id: alpha\n    backend: { type: scripted }\n  - id: beta\n    backend: { type: scripted }\n";

  it("exits 1 on malformed YAML and names the file and line", async () => {
    writeConfig(tmp, "team.yaml", "agents:\n  - id: alpha\n    backend: { type: scripted }\n  - id: beta\n   backend: { type: scripted }\n");
    const stderr = await usageError(["Design a cache", "--config", "team.yaml"]);
    expect(stderr).toMatch(/^conclave: team\.yaml:5 malformed YAML: [^\n]+\n$/);
  });

  it("exits 1 on an unknown backend type and lists the known ones", async () => {
    writeConfig(tmp, "team.yaml", "agents:\n  - id: alpha\n    backend: { type: gpt }\n");
    const stderr = await usageError(["Design a cache", "--config", "team.yaml"]);
    expect(stderr).toBe('conclave: team.yaml:3 agents[0].backend.type: expected one of auto, openai, anthropic, scripted, got "gpt"\n');
  });

  it("exits 1 on duplicate agent ids", async () => {
    writeConfig(tmp, "team.yaml", "agents:\n  - id: alpha\n    backend: { type: scripted }\n  - id: alpha\n    backend: { type: scripted }\n");
    const stderr = await usageError(["Design a cache", "--config", "team.yaml"]);
    expect(stderr).toMatch(/^conclave: team\.yaml:4 agents\[1\]\.id: duplicate agent id "alpha" \(agents\[0\] has it too\); ids must be unique/);
  });

  it("exits 1 on max_rounds: 0", async () => {
    writeConfig(tmp, "team.yaml", `${OK}coordination:\n  max_rounds: 0\n`);
    const stderr = await usageError(["Design a cache", "--config", "team.yaml"]);
    expect(stderr).toBe("conclave: team.yaml:7 coordination.max_rounds: expected >= 1, got 0\n");
  });

  it("exits 1 when no task is given", async () => {
    writeConfig(tmp, "team.yaml", OK);
    const stderr = await usageError(["--config", "team.yaml", "--dry-run"]);
    expect(stderr).toBe('conclave: no task given. Usage: conclave ask "<task>" [options]\n');
  });

  it("exits 1 on an unknown agent in --agents and names it", async () => {
    writeConfig(tmp, "team.yaml", OK);
    const stderr = await usageError(["Design a cache", "--config", "team.yaml", "--agents", "alpha,zed"]);
    expect(stderr).toBe(`conclave: unknown agent \`zed\` in \`agents\`; ${join(tmp, "team.yaml")} has alpha, beta\n`);
  });

  it("exits 1 on an unknown flag", async () => {
    writeConfig(tmp, "team.yaml", OK);
    const stderr = await usageError(["Design a cache", "--config", "team.yaml", "--bogus"]);
    expect(stderr).toBe("conclave: Unknown option '--bogus'. Run `conclave ask --help` for the options.\n");
  });

  it("exits 1 when the config file does not exist", async () => {
    const stderr = await usageError(["Design a cache", "--config", "missing.yaml"]);
    expect(stderr).toBe("conclave: cannot read config `missing.yaml`: no such file. Pass an existing file with --config.\n");
  });

  it("exits 1 when --runs-dir is a file, naming it, without a stack trace", async () => {
    writeConfig(tmp, "team.yaml", OK);
    writeFileSync(join(tmp, "notes.txt"), "not a folder\n");
    const stderr = await usageError(["Design a cache", "--config", "team.yaml", "--runs-dir", "notes.txt"]);
    expect(stderr).toContain("conclave: cannot make a run directory in `notes.txt`: a file stands where a directory of that path should be (ENOTDIR). Give a runs directory you can write (`--runs-dir`, or run()'s `runsDir`).\n");
    expect(stderr).not.toContain("unexpected error");
    expect(readFileSync(join(tmp, "notes.txt"), "utf8")).toBe("not a folder\n");
  });

  // Bug: Node's "ambiguous argument" error has "?\nTo specify …" where cli.ts strips ". To specify …",
  // so the message spans three lines and ends in "'--timeout=-XYZ'.. Run `conclave help` …".
  it("exits 1 on a negative --timeout with a one-line message", async () => {
    writeConfig(tmp, "team.yaml", OK);
    const stderr = await usageError(["Design a cache", "--config", "team.yaml", "--timeout", "-1"]);
    expect(stderr).toMatch(/^conclave: [^\n]*\n$/);
    expect(stderr).not.toContain("..");
  });
});

describe("conclave ask when one agent hangs", () => {
  it("finishes on the phase deadlines with a winner among the others and the hung agent timed out", async () => {
    const config = writeConfig(
      tmp,
      "team.yaml",
      `agents:
  - id: alpha
    backend: { type: scripted, latency_ms: 50 }
  - id: beta
    backend: { type: scripted, latency_ms: 50 }
  - id: gamma
    backend: { type: scripted, latency_ms: 50, hang: true }
coordination:
  timeouts: { generation: 1, voting: 1.5, presentation: 5, run: 60 }
`,
    );
    const { code, stdout, stderr } = await runCli(["ask", "Design a cache", "--automation", "--config", config], { cwd: tmp, timeoutMs: 20_000 });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const result = readJson<ResultFile>(join(logDirOf(stdout), "result.json"));
    expect(result.status).toBe("completed");
    expect(["alpha", "beta"]).toContain(result.winner);
    expect(result.agents.gamma?.status).toBe("timed_out");
    expect(result.elapsed_seconds).toBeLessThanOrEqual(1 + 1.5 + 1);
  });
});

describe("status.json while a run writes it", () => {
  it("always parses when read in a tight loop", async () => {
    const script = (id: string, vote: string) => `
      script:
        - answer: "${id} draft: an LRU cache in front of the database."
        - answer: "${id} revision ${vote}: write-through cache, TTL per key, metrics on hit rate and evictions."
        - answer: "${id} final take: sharded ${vote} cache, consistent hashing, warm start from snapshots."
        - vote: ${vote}
          reason: "it is the most complete"
`;
    const config = writeConfig(
      tmp,
      "team.yaml",
      `agents:
  - id: alpha
    backend:
      type: scripted
      latency_ms: 150${script("Alpha", "B")}  - id: beta
    backend:
      type: scripted
      latency_ms: 250${script("Beta", "A")}  - id: gamma
    backend:
      type: scripted
      latency_ms: 400${script("Gamma", "A")}coordination:
  max_rounds: 4
`,
    );
    const proc = startCli(["ask", "Design a cache", "--automation", "--config", config], { cwd: tmp, timeoutMs: 20_000 });
    let exited = false;
    void proc.exited.then(() => (exited = true));
    const logDir = (await proc.waitForLine(/^LOG_DIR: /, 10_000)).slice("LOG_DIR: ".length);
    const statusPath = join(logDir, "status.json");

    let parsed = 0;
    const torn: string[] = [];
    const phases = new Set<string>();
    // 5000 reads take well under a second, less than the run (~2 s), so the loop is bounded by time and a larger count.
    const deadline = Date.now() + 15_000;
    for (let i = 0; i < 1_000_000 && !exited && Date.now() < deadline; i++) {
      let text: string | undefined;
      try {
        text = readFileSync(statusPath, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      if (text !== undefined) {
        try {
          phases.add((JSON.parse(text) as StatusFile).coordination.phase);
          parsed++;
        } catch {
          torn.push(text);
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(torn).toEqual([]);
    expect(parsed).toBeGreaterThanOrEqual(20);
    // The reads span the whole run, through several transitions.
    expect([...phases]).toEqual(expect.arrayContaining(["generation", "voting", "finalization"]));
    const result = readJson<ResultFile & { answers: unknown[] }>(join(logDir, "result.json"));
    expect(result.answers.length).toBeGreaterThan(3); // the agents revised their answers
  });
});

describe("conclave ask in parallel processes", () => {
  it("gives 20 concurrent dry runs 20 distinct run directories that all complete", { timeout: 60_000 }, async () => {
    const runs = join(tmp, "runs");
    const config = writeConfig(tmp, "offline.yaml", OFFLINE);
    // npx runs the project's own bin by linking it into <npm cache>/_npx under a lock it retries with
    // backoff up to 5 s, which serialises 20 processes sharing one cache (~45 s). Each process gets its own
    // cache (offline: the link is local) so the 20 runs really overlap, and ~/.npm is left alone.
    const npx = (n: number): StartOptions => ({
      cwd: REPO,
      command: ["npx"],
      env: { npm_config_cache: join(tmp, `npm-cache-${n}`), npm_config_offline: "true", npm_config_update_notifier: "false" },
      timeoutMs: 50_000,
    });
    const version = await runCli(["--no-install", "conclave", "--version"], npx(0));
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        runCli(["--no-install", "conclave", "ask", `task ${n}`, "--dry-run", "--automation", "--config", config, "--runs-dir", runs], npx(n)),
      ),
    );
    for (const o of outcomes) expect(o.code, o.stderr).toBe(0);
    const logDirs = outcomes.map((o) => logDirOf(o.stdout));
    expect(new Set(logDirs).size).toBe(20);
    for (const dir of logDirs) expect(relative(runs, dir)).toMatch(/^[^./\\][^/\\]*$/);
    const dirs = readdirSync(runs).filter((name) => name !== ".staging");
    expect(dirs).toHaveLength(20);
    for (const dir of dirs) expect(readJson<ResultFile>(join(runs, dir, "result.json")).status).toBe("completed");
    const tasks = dirs.map((dir) => readJson<{ task: string }>(join(runs, dir, "run_description.json")).task).sort();
    expect(tasks).toEqual(Array.from({ length: 20 }, (_, n) => `task ${n}`).sort());
  });
});

describe("conclave validate", () => {
  it("prints `<file>: valid.` and exits 0 on configs/offline.yaml", async () => {
    const { code, stdout, stderr } = await runCli(["validate", "configs/offline.yaml"], { cwd: REPO });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^configs\/offline\.yaml: valid\.[^\n]*\n$/);
  });

  it("exits 1 and prints `file:line field: message` on a bad config", async () => {
    writeConfig(tmp, "team.yaml", "agents:\n  - id: alpha\n    backend: { type: scripted }\ncoordination:\n  voting: loose\n");
    const { code, stdout, stderr } = await runCli(["validate", "team.yaml"], { cwd: tmp });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe('conclave: team.yaml:5 coordination.voting: expected one of lenient, balanced, strict, got "loose"\n');
  });

  it("exits 1 on a file that does not exist, saying to pass one as its argument", async () => {
    const { code, stdout, stderr } = await runCli(["validate", "nope.yaml"], { cwd: tmp });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("conclave: cannot read config `nope.yaml`: no such file. Pass an existing file: `conclave validate <file>`.\n");
  });

  it("exits 1 on a directory, saying it wants a file and naming the YAML files in it", async () => {
    const { code, stdout, stderr } = await runCli(["validate", "configs"], { cwd: REPO });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "conclave: cannot read config `configs`: it is a directory, expected a YAML file such as `configs/anthropic.yaml` (it holds `anthropic.yaml`, `code-review-interactive.yaml`, `default.yaml`, …). Pass one config file.\n",
    );
  });

  it("exits 1 on a mis-indented key and names the line at fault", async () => {
    writeConfig(tmp, "team.yaml", "agents:\n  - id: alpha\n    backend: { type: scripted }\ncoordination:\n    max_rounds: 2\n  voting: strict\n");
    const { code, stderr } = await runCli(["validate", "team.yaml"], { cwd: tmp });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "conclave: team.yaml:5 malformed YAML: `max_rounds` is indented 4 spaces, but the next key of `coordination`, `voting` (line 6), is indented 2. Indent the keys of one mapping alike.\n",
    );
  });

  it("exits 1 with the file and line, and writes no run, for a YAML alias bomb given to ask", async () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 10; i++) levels.push(`${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(9).fill(`*${"abcdefghij"[i - 1]}`).join(", ")}]`);
    writeConfig(tmp, "bomb.yaml", `agents:\n  - id: alpha\n    backend: { type: scripted }\n${levels.join("\n")}\n`);
    const { code, stdout, stderr } = await runCli(["ask", "Hello", "--config", "bomb.yaml"], { cwd: tmp });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "conclave: bomb.yaml:5 malformed YAML: its aliases (`*name`) expand to too many nodes (more than 100 per alias), as an alias bomb does. A config needs few or no aliases: write the values out.\n",
    );
    expect(existsSync(runsDir())).toBe(false);
  });
});

describe("conclave ask --help", () => {
  it("exits 0 and mentions every option of ask", async () => {
    const { code, stdout } = await runCli(["ask", "--help"], { cwd: tmp });
    expect(code).toBe(0);
    for (const option of ["--config", "--agents", "--mode", "--no-refine", "--timeout", "--dry-run", "--automation"]) {
      expect(stdout).toMatch(new RegExp(`^\\s+${option}\\b`, "m"));
    }
  });
});

describe("conclave ask progress view", () => {
  it("prints no escape codes when piped and ends stdout with the final answer", async () => {
    const config = writeConfig(tmp, "offline.yaml", OFFLINE);
    const { code, stdout, stderr } = await runCli(["ask", "Design a cache", "--dry-run", "--config", config], { cwd: tmp });
    expect(code).toBe(0);
    expect(stdout).not.toContain(ESC);
    expect(stderr).not.toContain(ESC);
    const logDir = onlyRunDir(runsDir());
    const result = readJson<ResultFile>(join(logDir, "result.json"));
    expect(stderr).toContain(`Run completed. Winner: ${result.winner} (${result.winner_reason})\nRun directory: ${logDir}\n`);
    // One plain line per agent event, none lost between status writes.
    for (const id of ["alpha", "beta", "gamma"]) {
      expect(stderr).toContain(`  ${id} answered\n`);
      expect(stderr).toMatch(new RegExp(`^  ${id} voted for [ABC] \\(\\w+\\.1\\)$`, "m"));
    }
    expect(stderr).toContain(`  ${result.winner} presented the final answer\n`);
    const answer = readFileSync(join(logDir, "final", result.winner!, "answer.txt"), "utf8").trim();
    expect(answer.length).toBeGreaterThan(0);
    expect(stdout.trimEnd().endsWith(answer)).toBe(true);
  });
});

describe("what each command loads", () => {
  // `conclave <args>` under a module hook that writes down every module the process loads (hooks
  // run on their own thread): the framework files (under framework/) and the packages it loaded.
  async function loads(name: string, args: string[]): Promise<{ code: number | null; stderr: string; framework: string[]; packages: string[] }> {
    const log = join(tmp, `${name}.loaded.txt`);
    const hooks = join(tmp, "hooks.mjs");
    writeFileSync(hooks, `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(process.env.LOADED_LOG, url + "\\n"); return next(url, context); }\n`);
    writeFileSync(join(tmp, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    // From the source, whose module graph this is about (from dist/ the modules are bundled into chunks).
    const { code, stderr } = await runCli(args, { cwd: tmp, command: [process.execPath, "--import", join(tmp, "register.mjs"), CLI], env: { LOADED_LOG: log, CONCLAVE_FROM_SOURCE: "1" } });
    const urls = readFileSync(log, "utf8").split("\n").filter(Boolean);
    const framework = [...new Set(urls.flatMap((url) => /\/framework\/(.+)$/.exec(url)?.[1] ?? []))];
    const packages = [...new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []))];
    return { code, stderr, framework, packages };
  }
  const commandModules = (framework: string[]) => framework.filter((file) => /^runner\/[a-z-]+-command\.[cm]?[jt]s$/.test(file)).map((file) => file.replace(/-command\.[cm]?[jt]s$/, "").replace("runner/", ""));

  it("loads only the command that runs: ask --dry-run no chat, mcp, serve, analyze or sessions; status and --help not the engine", async () => {
    const ask = await loads("ask", ["ask", "Name three risks", "--dry-run", "--automation"]);
    expect(ask.code, ask.stderr).toBe(0);
    expect(ask.framework.some((file) => /^runs\/run\.[cm]?[jt]s$/.test(file))).toBe(true);
    expect(commandModules(ask.framework)).toEqual(["ask"]);
    expect(ask.framework.filter((file) => /^(analysis|server|session\/(open-session|list-sessions|search-sessions|export-session|import-session))[./]/.test(file))).toEqual([]);
    expect(ask.packages.filter((p) => ["hono", "@hono/node-server", "@modelcontextprotocol/server", "chokidar"].includes(p))).toEqual([]);

    const status = await loads("status", ["status", onlyRunDir(runsDir())]);
    expect(status.code, status.stderr).toBe(0);
    expect(commandModules(status.framework)).toEqual(["status"]);
    expect(status.framework.filter((file) => /^(runs\/run\.[cm]?[jt]s$|config\/load-config\.|models\/|coordination\/)/.test(file))).toEqual([]);

    const help = await loads("help", ["--help"]);
    expect(help.code).toBe(0);
    expect(commandModules(help.framework)).toEqual([]);
    expect(help.packages.filter((p) => !["tsx", "esbuild"].includes(p))).toEqual([]);
  });
});
