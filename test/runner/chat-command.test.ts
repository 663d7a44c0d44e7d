import { EventEmitter } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, it, type TestContext } from "vitest";
import { main, type CliIo } from "../../framework/runner/cli.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { makeTempDir, removeDir, writeConfig } from "../support/cli-process.ts";

// `conclave chat` through main(), on the real session engine, with piped input (its stdin is a
// stream of the test's): a scripted orchestrator and scripted agents, a project of the test's own.

const AGENTS = `agents:
  - id: alpha
    backend: { type: scripted }
  - id: beta
    backend: { type: scripted }
  - id: gamma
    backend: { type: scripted }
`;
// Answers the first message itself, launches a run of alpha and beta on the second, then reports.
const TEAM = `${AGENTS}orchestrator:
  backend:
    type: scripted
    script:
      - { text: "The project has no runs yet." }
      - { tool: launch_run, args: { task: "Add the handler module", agents: [alpha, beta] } }
      - { text: "Handler module done." }
interactive: { require_approval: always }
`;
// Answers twice (a resumed session's recap, then a message).
const RECAP = `${AGENTS}orchestrator:
  backend:
    type: scripted
    script:
      - { text: "Last time you asked for the status; nothing has run yet." }
      - { text: "Still nothing has run." }
`;
const ID = /\d{8}-\d{6}-[0-9a-f]{6}/;
const RUN_ID = /\d{8}-\d{6}-[0-9a-f]{12}/;

// `conclave chat <args>` with `lines` piped in; its output, exit code and the session's files.
async function chat(args: string[], lines: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const stdin = new PassThrough();
  stdin.end(lines);
  const proc = Object.assign(new EventEmitter(), { ppid: process.ppid, pid: process.pid, exit: () => undefined as never }) as unknown as CliIo["process"];
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env, process: proc, stdin };
  const code = await main(["chat", ...args], io);
  return { code, stdout, stderr };
}

function setup(onTestFinished: TestContext["onTestFinished"]) {
  const tmp = makeTempDir("conclave-chat-");
  onTestFinished(() => removeDir(tmp));
  const project = initProject("demo", tmp).dir;
  return { tmp, project, config: writeConfig(tmp, "team.yaml", TEAM) };
}

const sessionIds = (project: string) => readdirSync(join(project, "sessions")).filter((n) => n !== ".gitignore").sort();

describe.concurrent("conclave chat with piped input", () => {
  it("answers, launches an approved run (--yes), and keeps the session on disk; exit 0 at the end of input", async ({ expect, onTestFinished }) => {
    const { project, config } = setup(onTestFinished);
    const out = await chat(["--project", project, "--config", config, "--yes"], "What's the current status?\nAdd the handler module\n/runs\n");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const [id] = sessionIds(project);
    expect(id).toMatch(ID);
    const lines = out.stdout.replaceAll(id!, "<id>").replace(new RegExp(RUN_ID, "g"), "<run>").split("\n");
    expect(lines.slice(0, 6)).toEqual([
      "demo · <id> · idle · $0.0000",
      "you> What's the current status?",
      "conclave> The project has no runs yet.",
      "demo · <id> · idle · $0.0000",
      "you> Add the handler module",
      "Approved (--yes): Add the handler module, estimate $0.0000.",
    ]);
    expect(lines[6]).toBe("[run <run>] multi · alpha, beta · Add the handler module");
    expect(lines).toContainEqual(expect.stringMatching(/^\[run <run>\] completed · winner (alpha|beta) \(.+\) · \$0\.0000 · \d+\.\d s$/));
    expect(lines.slice(-9)).toEqual([
      "conclave> Handler module done.",
      "demo · <id> · complete · 1 run · $0.0000",
      "you> /runs",
      expect.stringMatching(/^run +status +cost +task$/),
      expect.stringMatching(/^-+ +-+ +-+ +-+$/),
      expect.stringMatching(/^<run> +completed +\$0\.0000 +Add the handler module$/),
      "demo · <id> · complete · 1 run · $0.0000",
      "Session <id> saved: conclave chat --resume <id>",
      "",
    ]);
    const record = JSON.parse(readFileSync(join(project, "sessions", id!, "session.json"), "utf8"));
    expect(record).toMatchObject({ id, turns: 2, runs: [{ task: "Add the handler module", status: "completed" }] });
    const messages = readFileSync(join(project, "sessions", id!, "messages.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).role);
    expect(messages).toEqual(["user", "assistant", "user", "assistant", "tool", "assistant"]);
  });

  it("without --yes, cancels the run that needs approval, says to pass --yes on stderr, and exits 1 after that turn", async ({ expect, onTestFinished }) => {
    const { project, config } = setup(onTestFinished);
    const out = await chat(["--project", project, "--config", config], "What's the current status?\nAdd the handler module\nAnd the tests\n");
    expect(out.code).toBe(1);
    expect(out.stderr).toBe("A run needs approval: pass --yes to approve runs when stdin is not a terminal.\n");
    expect(out.stdout).not.toContain("[run ");
    expect(out.stdout).not.toContain("you> And the tests");
    const [id] = sessionIds(project);
    const tool = readFileSync(join(project, "sessions", id!, "messages.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((m) => m.role === "tool");
    expect(tool.content).toBe("Error: the person cancelled this run at approval; ask what they want instead.");
  });

  it("--resume latest shows the last messages and the orchestrator's recap, then goes on in the same session", async ({ expect, onTestFinished }) => {
    const { tmp, project, config } = setup(onTestFinished);
    expect((await chat(["--project", project, "--config", config], "What's the current status?\n")).code).toBe(0);
    const [id] = sessionIds(project);
    const recap = writeConfig(tmp, "recap.yaml", RECAP);
    const out = await chat(["--project", project, "--config", recap, "--resume"], "And now?\n");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout.split("\n").slice(0, 7)).toEqual([
      `Resumed session ${id} (1 turn, 0 runs). The last messages:`,
      "  you> What's the current status?",
      "  conclave> The project has no runs yet.",
      "conclave> Last time you asked for the status; nothing has run yet.",
      `demo · ${id} · idle · $0.0000`,
      "you> And now?",
      "conclave> Still nothing has run.",
    ]);
    expect(sessionIds(project)).toEqual([id]);
    expect(JSON.parse(readFileSync(join(project, "sessions", id!, "session.json"), "utf8")).turns).toBe(2);
  });

  it("--resume <id> --fork goes on in a copy, leaving the original as it was", async ({ expect, onTestFinished }) => {
    const { tmp, project, config } = setup(onTestFinished);
    expect((await chat(["--project", project, "--config", config], "What's the current status?\n")).code).toBe(0);
    const [id] = sessionIds(project);
    const before = readFileSync(join(project, "sessions", id!, "messages.jsonl"), "utf8");
    const out = await chat(["--project", project, "--config", writeConfig(tmp, "recap.yaml", RECAP), "--resume", id!, "--fork"], "And now?\n");
    expect(out.code).toBe(0);
    const ids = sessionIds(project);
    expect(ids).toHaveLength(2);
    const fork = ids.find((i) => i !== id)!;
    expect(out.stdout).toContain(`Session ${fork} saved: conclave chat --resume ${fork}\n`);
    expect(readFileSync(join(project, "sessions", id!, "messages.jsonl"), "utf8")).toBe(before);
  });
});

describe("conclave chat's project", () => {
  it("is $CONCLAVE_PROJECT without --project, and a missing one is named with where it came from", async ({ expect, onTestFinished }) => {
    const { project, config } = setup(onTestFinished);
    expect((await chat(["--config", config], "What's the current status?\n", { CONCLAVE_PROJECT: project })).code).toBe(0);
    expect(sessionIds(project)).toHaveLength(1);
    const missing = join(project, "nope");
    const out = await chat(["--config", config], "", { CONCLAVE_PROJECT: missing });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(new RegExp(`^conclave: \`CONCLAVE_PROJECT\`: project directory \`${missing}\` does not exist\. `));
  });
});

describe("conclave chat's usage errors", () => {
  it("exits 1 on an unknown session, a bad flag, --fork alone and an argument, saying what to do", async ({ expect, onTestFinished }) => {
    const { project, config } = setup(onTestFinished);
    const base = ["--project", project, "--config", config];
    const sessions = join(project, "sessions");
    expect(await chat([...base, "--resume"], "")).toEqual({ code: 1, stdout: "", stderr: `conclave: no sessions under ${sessions} yet: start one with \`conclave chat\` (or \`conclave ask "<task>"\`).\n` });
    expect((await chat(base, "What's the current status?\n")).code).toBe(0);
    const [id] = sessionIds(project);
    expect(await chat([...base, "--resume", "20990101-000000-abcdef"], "")).toEqual({
      code: 1,
      stdout: "",
      stderr: `conclave: no session \`20990101-000000-abcdef\` under ${sessions}: the newest are \`${id}\`. Run \`conclave sessions\` to list them, or pass \`latest\`.\n`,
    });
    expect(await chat([...base, "--nope"], "")).toEqual({ code: 1, stdout: "", stderr: "conclave: Unknown option '--nope'. Run `conclave chat --help` for the options.\n" });
    expect(await chat([...base, "--fork"], "")).toEqual({ code: 1, stdout: "", stderr: "conclave: `--fork` continues a copy of a session: give it with `--resume <id>` or `--resume latest`.\n" });
    expect(await chat([...base, "hello"], "")).toEqual({
      code: 1,
      stdout: "",
      stderr: 'conclave: `conclave chat` takes no arguments, got "hello": type your message at the prompt, or pipe it in. Run `conclave chat --help` for the options.\n',
    });
  });
});
