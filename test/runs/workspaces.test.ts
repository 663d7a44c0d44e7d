import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { run } from "../../framework/runs/run.ts";
import { readRun } from "../support/scripted-run.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A project whose deliverables/ holds a few files.
function makeProject(files: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), "conclave-ws-"));
  dirs.push(root);
  const project = openProject(join(root, "proj"), { create: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(project.deliverablesDir, path, ".."), { recursive: true });
    writeFileSync(join(project.deliverablesDir, path), content);
  }
  return { root, project };
}

const coordination = { max_rounds: 2, timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 20 } };
type Turn = NonNullable<NonNullable<ConfigInput["agents"][number]["backend"]>["script"]>[number];
const agent = (id: string, latency_ms: number, script: Turn[]) => ({ id, backend: { type: "scripted" as const, latency_ms, script } });
const tool = (name: string, args: Record<string, unknown>): Turn => ({ tool: name, args });

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, "utf8");
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

describe("run() with context_paths", () => {
  it("gives each agent its own copy: parallel writes to the same file stay apart until voting", async () => {
    const { project } = makeProject({ "x.md": "original\n" });
    const config: ConfigInput = {
      agents: [
        agent("alpha", 40, [
          tool("write_file", { path: "deliverables/x.md", content: "from alpha\n" }),
          tool("read_file", { path: "@B/deliverables/x.md" }),
          tool("edit_file", { path: "deliverables/x.md", old: "from alpha", new: "from alpha, edited" }),
          { answer: "alpha wrote x.md" },
          tool("read_file", { path: "@B/deliverables/x.md" }),
          { vote: "B", reason: "fine" },
        ]),
        agent("beta", 60, [
          tool("write_file", { path: "deliverables/x.md", content: "from beta\n" }),
          tool("edit_file", { path: "deliverables/x.md", old: "from beta", new: "from beta, edited" }),
          { answer: "beta wrote x.md" },
          { vote: "A", reason: "fine" },
        ]),
      ],
      coordination,
    };
    const result = await run({ task: "Write x.md", project, config, context_paths: [{ path: "deliverables", permission: "write" }], env: {} });
    const files = readRun(result.log_dir);
    const calls = (id: string) => files.events.filter((e) => e.type === "run.agent.tool_call" && e.agentId === id).map((e) => [e.round, e.name, e.ok]);
    // Generation: no view of the others; each edit finds the agent's own text, untouched by the other's write.
    // Voting: the other answer's workspace can be read.
    expect(calls("alpha")).toEqual([
      [1, "write_file", true],
      [1, "read_file", false],
      [1, "edit_file", true],
      [2, "read_file", true],
    ]);
    expect(calls("beta")).toEqual([
      [1, "write_file", true],
      [1, "edit_file", true],
    ]);
    expect(files.read("agents/alpha/workspace/deliverables/x.md")).toBe("from alpha, edited\n");
    expect(files.read("agents/beta/workspace/deliverables/x.md")).toBe("from beta, edited\n");
    expect(result).toMatchObject({ status: "completed", winner: "alpha", winner_reason: "tie 1-1 broken by earliest answer" });
    expect(readFileSync(join(project.deliverablesDir, "x.md"), "utf8")).toBe("from alpha, edited\n");
  });

  it("writes back exactly the winner's workspace when the project did not change meanwhile, and changes.patch applies cleanly to the base", async () => {
    const { root, project } = makeProject({ "a.md": "one\ntwo\nthree\n", "keep.md": "unchanged\n", "sub/c.md": "c\n" });
    const before = join(root, "before");
    cpSync(project.deliverablesDir, join(before, "deliverables"), { recursive: true });
    const config: ConfigInput = {
      agents: [
        agent("alpha", 20, [
          tool("edit_file", { path: "deliverables/a.md", old: "two", new: "TWO" }),
          tool("write_file", { path: "deliverables/sub/new/d.md", content: "a new file without a final newline" }),
          tool("write_file", { path: "deliverables/sub/c.md", content: "" }),
          { answer: "edited a.md, added d.md, emptied c.md" },
          { vote: "A", reason: "mine is the only one" },
        ]),
      ],
      coordination,
    };
    const result = await run({ task: "Edit", project, config, context_paths: [{ path: "deliverables/", permission: "write" }], env: {} });
    expect(result.status).toBe("completed");
    const workspace = join(result.log_dir, "agents", "alpha", "workspace", "deliverables");
    expect(tree(project.deliverablesDir)).toEqual(tree(workspace));
    expect(tree(project.deliverablesDir)).toMatchObject({ "a.md": "one\nTWO\nthree\n", "keep.md": "unchanged\n", "sub/c.md": "", "sub/new/d.md": "a new file without a final newline" });
    expect(result.changes).toMatchObject({ written_back: true, files: expect.arrayContaining(["deliverables/a.md", "deliverables/sub/new/d.md", "deliverables/sub/c.md"]), merged: [], conflicts: [] });
    expect(result.changes!.patch_path).toBe(join(result.log_dir, "final", "alpha", "changes.patch"));
    // The base snapshot taken when the workspaces were made is kept in the run directory.
    expect(tree(join(result.log_dir, "base", "deliverables"))).toEqual(tree(join(before, "deliverables")));
    // The patch turns the original into the result.
    execFileSync("git", ["init", "-q"], { cwd: before });
    execFileSync("git", ["apply", "--check", result.changes!.patch_path], { cwd: before });
    execFileSync("git", ["apply", result.changes!.patch_path], { cwd: before });
    expect(tree(join(before, "deliverables"))).toEqual(tree(project.deliverablesDir));
  });

  const twelve = (change: Record<number, string> = {}) => Array.from({ length: 12 }, (_, i) => `${change[i + 1] ?? `line ${i + 1}`}\n`).join("");

  // A project whose a.md has 12 lines; alpha, alone, edits its line 2 and adds new.md. `during` runs
  // when alpha's edit is journaled, while the run is still going: the user's own edits.
  async function editedDuringTheRun(during: (deliverables: string) => void) {
    const { root, project } = makeProject({ "a.md": twelve(), "keep.md": "unchanged\n" });
    const before = join(root, "before");
    cpSync(project.deliverablesDir, join(before, "deliverables"), { recursive: true });
    const config: ConfigInput = {
      agents: [
        agent("alpha", 10, [
          tool("edit_file", { path: "deliverables/a.md", old: "line 2\n", new: "alpha's line 2\n" }),
          tool("write_file", { path: "deliverables/new.md", content: "from alpha\n" }),
          { answer: "edited a.md, added new.md" },
        ]),
      ],
      coordination,
    };
    let edited = false;
    const result = await run({
      task: "Edit",
      project,
      config,
      agent_mode: "single",
      context_paths: [{ path: "deliverables", permission: "write" }],
      env: {},
      onEvent: (e) => {
        if (e.type === "run.agent.tool_call" && e.name === "edit_file" && !edited) {
          edited = true;
          during(project.deliverablesDir);
        }
      },
    });
    expect(edited).toBe(true);
    return { result, project, before };
  }

  it("keeps a user's edit and a user's new file made during the run, and merges the user's and the winner's edits to different lines", async () => {
    const { result, project, before } = await editedDuringTheRun((deliverables) => {
      writeFileSync(join(deliverables, "a.md"), twelve({ 10: "the user's line 10" }));
      writeFileSync(join(deliverables, "keep.md"), "the user's edit\n");
      writeFileSync(join(deliverables, "user.md"), "added by the user\n");
    });
    expect(result.status).toBe("completed");
    expect(tree(project.deliverablesDir)).toEqual({
      "a.md": twelve({ 2: "alpha's line 2", 10: "the user's line 10" }),
      "keep.md": "the user's edit\n",
      "user.md": "added by the user\n",
      "new.md": "from alpha\n",
    });
    expect(result.changes).toEqual({
      patch_path: join(result.log_dir, "final", "alpha", "changes.patch"),
      files: ["deliverables/a.md", "deliverables/new.md"],
      written_back: true,
      merged: ["deliverables/a.md"],
      conflicts: [],
    });
    // changes.patch is the winner's change against the base: applied to the base, it gives the workspace.
    const patch = readFileSync(result.changes!.patch_path, "utf8");
    expect(patch).not.toContain("user");
    execFileSync("git", ["init", "-q"], { cwd: before });
    execFileSync("git", ["apply", result.changes!.patch_path], { cwd: before });
    expect(tree(join(before, "deliverables"))).toEqual(tree(join(result.log_dir, "agents", "alpha", "workspace", "deliverables")));
  });

  it("leaves a file whose lines both the user and the winner changed as the user has it, and keeps the winner's version under final/<winner>/conflicts/", async () => {
    const { result, project } = await editedDuringTheRun((deliverables) => {
      writeFileSync(join(deliverables, "a.md"), twelve({ 2: "the user's line 2" }));
    });
    expect(result.status).toBe("completed");
    expect(result.changes).toMatchObject({ written_back: true, merged: [], conflicts: ["deliverables/a.md"] });
    expect(tree(project.deliverablesDir)).toEqual({ "a.md": twelve({ 2: "the user's line 2" }), "keep.md": "unchanged\n", "new.md": "from alpha\n" });
    expect(tree(join(result.log_dir, "final", "alpha", "conflicts"))).toEqual({ "deliverables/a.md": twelve({ 2: "alpha's line 2" }) });
    expect(readRun(result.log_dir).result.changes.conflicts).toEqual(["deliverables/a.md"]);
  });

  it("waits for another run's write-back under runs/writeback.lock, and gives up without writing when the run is stopped meanwhile", async () => {
    const { project } = makeProject({ "a.md": "one\n" });
    // Another live process (this test's parent) holds the project's write-back lock.
    const lock = join(project.runsDir, "writeback.lock");
    const held = `${JSON.stringify({ pid: process.ppid, host: hostname(), token: "0123456789abcdef" })}\n`;
    writeFileSync(lock, held);
    const config: ConfigInput = { agents: [agent("alpha", 10, [tool("write_file", { path: "deliverables/a.md", content: "two\n" }), { answer: "done" }])], coordination };
    const controller = new AbortController();
    const result = await run({
      task: "Edit",
      project,
      config,
      agent_mode: "single",
      context_paths: [{ path: "deliverables", permission: "write" }],
      env: {},
      signal: controller.signal,
      // Ctrl+C once the run is finalizing: the answer stands, the wait for the lock ends.
      onEvent: (e) => e.type === "run.phase" && e.phase === "finalization" && controller.abort("interrupted"),
    });
    expect(result.status).toBe("completed");
    expect(result.changes).toMatchObject({
      written_back: false,
      reason: `stopped waiting for \`${lock}\`, which process ${process.ppid} holds (interrupted): nothing was done under the lock.`,
      merged: [],
      conflicts: [],
    });
    expect(readFileSync(join(project.deliverablesDir, "a.md"), "utf8")).toBe("one\n");
    expect(readFileSync(lock, "utf8")).toBe(held);
  });

  it("keeps the changes in changes.patch only when the write-back is not approved", async () => {
    const { project } = makeProject({ "a.md": "one\n" });
    const config: ConfigInput = { agents: [agent("alpha", 10, [tool("write_file", { path: "deliverables/a.md", content: "two\n" }), { answer: "done" }])], coordination };
    const cards: unknown[] = [];
    const result = await run({
      task: "Edit",
      project,
      config,
      agent_mode: "single",
      context_paths: [{ path: "deliverables", permission: "write" }],
      approve: async (card) => (cards.push(card), false),
      env: {},
    });
    expect(cards).toEqual([{ changes: ["deliverables/a.md"], patchPath: result.changes!.patch_path }]);
    expect(result.changes).toMatchObject({ written_back: false, reason: "not approved", merged: [], conflicts: [] });
    expect(readFileSync(join(project.deliverablesDir, "a.md"), "utf8")).toBe("one\n");
    expect(readFileSync(result.changes!.patch_path, "utf8")).toContain("-one\n+two\n");
  });

  it("passes an agent's ask_human with options and context to askHuman, and refuses one with too many options without asking", async () => {
    const { project } = makeProject({ "a.md": "one\n" });
    const ports = Array.from({ length: 11 }, (_, i) => String(8080 + i));
    const config: ConfigInput = {
      agents: [
        agent("alpha", 10, [
          tool("ask_human", { question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80." }),
          tool("ask_human", { question: "Which port, again?", options: ports }),
          { answer: "port 9090" },
        ]),
      ],
      coordination,
    };
    const asked: unknown[] = [];
    const result = await run({
      task: "Pick a port",
      project,
      config,
      agent_mode: "single",
      context_paths: [{ path: "deliverables", permission: "read" }],
      askHuman: async (query) => (asked.push(query), query.options?.[1] ?? null),
      env: {},
    });
    expect(result).toMatchObject({ status: "completed", answer: "port 9090" });
    expect(asked).toEqual([{ question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80." }]);
    const calls = readRun(result.log_dir).events.filter((e) => e.type === "run.agent.tool_call");
    expect(calls.map((e) => [e.name, e.ok, e.error])).toEqual([
      ["ask_human", true, undefined],
      ["ask_human", false, "Invalid arguments for ask_human: `options`: at most 10 options: offer the likeliest, the person may still answer in their own words."],
    ]);
  });

  it("offers no write tool and writes nothing in a planning run", async () => {
    const { project } = makeProject({ "a.md": "one\n" });
    const config: ConfigInput = {
      agents: [agent("alpha", 10, [tool("write_file", { path: "deliverables/a.md", content: "two\n" }), { answer: "the plan" }, { answer: "the plan" }])],
      coordination,
    };
    const result = await run({ task: "Plan", project, config, agent_mode: "single", planning_mode: true, context_paths: [{ path: "deliverables", permission: "write" }], env: {} });
    const files = readRun(result.log_dir);
    // write_file is not a tool here: the call is refused and the agent is told what it may call.
    expect(files.events.filter((e) => e.type === "run.agent.tool_call").map((e) => [e.name, e.ok])).toEqual([["write_file", false]]);
    expect(result).toMatchObject({ status: "completed", answer: "the plan" });
    expect(result.changes).toBeUndefined();
    expect(readFileSync(join(project.deliverablesDir, "a.md"), "utf8")).toBe("one\n");
    expect(files.exists("final/alpha/changes.patch")).toBe(false);
  });

  it("runs only allowed commands, without a shell and without API keys in the child's environment", async () => {
    const { project } = makeProject();
    const config: ConfigInput = {
      agents: [
        agent("alpha", 10, [
          tool("run_command", { command: "node", args: ["-e", "require('fs').writeFileSync('deliverables/env.txt', Object.keys(process.env).filter(k => /_API_KEY$|_TOKEN$/.test(k)).join(','))"] }),
          tool("run_command", { command: "rm", args: ["-rf", "deliverables"] }),
          tool("run_command", { command: "node", args: ["-e", "console.log(1)", "; touch pwned"] }),
          { answer: "ran commands" },
        ]),
      ],
      coordination,
      commands: { allow: ["node"], deny: ["rm"] },
    };
    const env = { ...process.env, OPENAI_API_KEY: "sk-test", GITHUB_TOKEN: "ghp-test" };
    const result = await run({ task: "Run", project, config, agent_mode: "single", context_paths: [{ path: "deliverables", permission: "write" }], env });
    const calls = readRun(result.log_dir).events.filter((e) => e.type === "run.agent.tool_call");
    expect(calls.map((e) => [e.name, e.ok])).toEqual([
      ["run_command", true],
      ["run_command", false],
      ["run_command", true],
    ]);
    expect(String(calls[1]!.error)).toContain("rm");
    expect(readFileSync(join(project.deliverablesDir, "env.txt"), "utf8")).toBe("");
    expect(existsSync(join(result.log_dir, "agents", "alpha", "workspace", "pwned"))).toBe(false);
  });

  it("carries out the winning plan in a second, writing run with execute_after_planning", async () => {
    const { project } = makeProject();
    const config: ConfigInput = { agents: [agent("alpha", 10, [])], coordination };
    const result = await run({ task: "Write notes", project, config, agent_mode: "single", planning_mode: true, execute_after_planning: true, context_paths: [{ path: "deliverables", permission: "write" }], env: {} });
    expect(result.status).toBe("completed");
    const runs = project.runs();
    expect(runs.map((r) => r.status)).toEqual(["completed", "completed"]);
    const description = readRun(result.log_dir).description;
    expect(description.parent_run).toBe(runs[0]!.run_id);
    expect(description.task).toContain("# The plan to carry out");
    expect(readdirSync(project.deliverablesDir).filter((f) => f.endsWith(".md"))).toHaveLength(1);
    expect(result.changes).toMatchObject({ written_back: true });
  });

  it("refuses a context path outside the project before anything is written", async () => {
    const { root, project } = makeProject();
    const config: ConfigInput = { agents: [agent("alpha", 10, [{ answer: "x" }])], coordination };
    await expect(run({ task: "x", project, config, context_paths: [{ path: "../elsewhere", permission: "write" }], env: {} })).rejects.toThrow(
      `context path \`../elsewhere\` is outside ${project.dir}: give a path inside the project, such as \`deliverables/\`.`,
    );
    expect(readdirSync(project.runsDir)).toEqual([".gitignore"]); // no run directory
    expect(existsSync(join(root, "elsewhere"))).toBe(false);
  });

  it("refuses a context path that holds the run directories, or is inside them, before anything is written", async () => {
    const { project } = makeProject();
    const config: ConfigInput = { agents: [agent("alpha", 10, [{ answer: "x" }])], coordination };
    for (const path of ["runs/", "runs/steps"]) {
      await expect(run({ task: "x", project, config, context_paths: [{ path, permission: "read" }], env: {} })).rejects.toThrow(
        `context path \`${path}\` holds the run directories (${project.runsDir}): the agents would get a copy of every earlier run. Give a directory of the project's own files, such as \`deliverables/\`.`,
      );
    }
    expect(readdirSync(project.runsDir)).toEqual([".gitignore"]); // no run directory
  });

  it("refuses to write through a symbolic link that leads out of the project, and reads through it", async () => {
    const { root, project } = makeProject();
    mkdirSync(join(root, "outside"));
    writeFileSync(join(root, "outside", "notes.md"), "kept\n");
    symlinkSync(join(root, "outside"), join(project.dir, "link"), "dir");
    const config: ConfigInput = { agents: [agent("alpha", 10, [{ answer: "x" }])], coordination };
    await expect(run({ task: "x", project, config, context_paths: [{ path: "link/", permission: "write" }], env: {} })).rejects.toThrow(
      `context path \`link/\` leads outside ${project.dir} through a symbolic link (to ${realpathSync(join(root, "outside"))}): a path the agents write must be inside the project. Give a directory inside it, or make it read-only.`,
    );
    expect(readdirSync(project.runsDir)).toEqual([".gitignore"]); // no run directory
    const read = await run({ task: "x", project, config, context_paths: [{ path: "link/", permission: "read" }], env: {} });
    expect(read.status).toBe("completed");
    expect(readdirSync(join(root, "outside"))).toEqual(["notes.md"]);
  });

  it("refuses a context path that is a file, naming its folder, before anything is written", async () => {
    const { project } = makeProject();
    mkdirSync(project.deliverablesDir, { recursive: true });
    writeFileSync(join(project.deliverablesDir, "shared.md"), "# Shared\n");
    const config: ConfigInput = { agents: [agent("alpha", 10, [{ answer: "x" }])], coordination };
    for (const permission of ["write", "read"] as const) {
      await expect(run({ task: "x", project, config, context_paths: [{ path: "deliverables/shared.md", permission }], env: {} })).rejects.toThrow(
        "context path `deliverables/shared.md` is a file: context paths (a workflow step's `reads` and `writes`) name directories, whose files the agents get copies of. Give its folder, `deliverables/`.",
      );
    }
    expect(readdirSync(project.runsDir)).toEqual([".gitignore"]); // no run directory
    expect(readFileSync(join(project.deliverablesDir, "shared.md"), "utf8")).toBe("# Shared\n");
  });
});

describe("run() with tools that could block", () => {
  const slowLine = `${"a".repeat(30)}!\n`; // /^(a+)+$/ backtracks 2^30 times on it
  const redos = [
    tool("write_file", { path: "deliverables/slow.txt", content: slowLine }),
    tool("search_files", { pattern: "/^(a+)+$/", path: "deliverables" }),
    { answer: "searched" },
  ];
  // Ticks every 50 ms; `maxGap()` is the longest the event loop kept a tick waiting.
  function ticker() {
    let last = Date.now();
    let gap = 0;
    const timer = setInterval(() => {
      gap = Math.max(gap, Date.now() - last);
      last = Date.now();
    }, 50);
    return { maxGap: () => gap, stop: () => clearInterval(timer) };
  }

  it("meets its deadline while search_files runs a catastrophic regex, the event loop free throughout", async () => {
    const { project } = makeProject();
    const config: ConfigInput = {
      agents: [agent("alpha", 10, redos)],
      coordination: { ...coordination, timeouts: { ...coordination.timeouts, run: 1.5 } },
    };
    const ticks = ticker();
    const started = Date.now();
    const result = await run({ task: "Search", project, config, agent_mode: "single", context_paths: [{ path: "deliverables", permission: "write" }], env: {} }).finally(ticks.stop);
    const elapsed = Date.now() - started;
    expect(result.status).toBe("timeout");
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(3500);
    expect(ticks.maxGap()).toBeLessThan(1000);
    expect(readRun(result.log_dir).status.results.status).toBe("timeout");
  });

  it("ends within 1 s of its AbortSignal while search_files runs a catastrophic regex", async () => {
    const { project } = makeProject();
    const config: ConfigInput = { agents: [agent("alpha", 10, redos)], coordination };
    const controller = new AbortController();
    let abortedAt = 0;
    const ticks = ticker();
    const finished = run({
      task: "Search",
      project,
      config,
      agent_mode: "single",
      context_paths: [{ path: "deliverables", permission: "write" }],
      env: {},
      signal: controller.signal,
      // The search starts once write_file is journalled; cancel a moment into it.
      onEvent: (e) => {
        if (e.type === "run.agent.tool_call" && e.name === "write_file") setTimeout(() => ((abortedAt = Date.now()), controller.abort("interrupted")), 300);
      },
    }).finally(ticks.stop);
    const result = await finished;
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(result.status).toBe("interrupted");
    expect(ticks.maxGap()).toBeLessThan(1000);
  });

  it("answers read_file, edit_file and search_files on a named pipe with a tool error, and completes", async () => {
    const { project } = makeProject({ "a.md": "alpha\n" });
    const config: ConfigInput = {
      agents: [
        agent("alpha", 400, [
          tool("read_file", { path: "deliverables/pipe" }),
          tool("edit_file", { path: "deliverables/pipe", old: "a", new: "b" }),
          tool("search_files", { pattern: "alpha", path: "deliverables/pipe" }),
          tool("search_files", { pattern: "alpha" }),
          { answer: "the pipe was refused" },
        ]),
      ],
      coordination,
    };
    const started = Date.now();
    let made: Promise<void> | undefined;
    const result = await run({
      task: "Read the pipe",
      project,
      config,
      agent_mode: "single",
      context_paths: [{ path: "deliverables", permission: "write" }],
      env: {},
      // The workspace copy never holds a pipe, so one is made in it before alpha's first reply (400 ms).
      onStart: ({ logDir }) => {
        made = (async () => {
          const dir = join(logDir, "agents", "alpha", "workspace", "deliverables");
          for (let i = 0; i < 300 && !existsSync(join(dir, "a.md")); i++) await new Promise((r) => setTimeout(r, 5));
          execFileSync("mkfifo", [join(dir, "pipe")]);
        })();
      },
    });
    await made;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.status).toBe("completed");
    const calls = readRun(result.log_dir).events.filter((e) => e.type === "run.agent.tool_call").map((e) => [e.name, e.ok, e.error ?? null]);
    const refused = (name: string) => `"deliverables/pipe" is a named pipe (FIFO), not a regular file; ${name} works on regular files only.`;
    expect(calls).toEqual([
      ["read_file", false, refused("read_file")],
      ["edit_file", false, refused("edit_file")],
      ["search_files", false, refused("search_files")],
      ["search_files", true, null],
    ]);
  });
});
