import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../framework/runner/cli.ts";
import { exportSession } from "../../framework/session/export-session.ts";
import { listSessions } from "../../framework/session/list-sessions.ts";
import { openStoredSession } from "../../framework/session/session-store.ts";
import { makeTempDir, removeDir } from "../support/cli-process.ts";
import { writeDemoSession } from "../session/session-fixture.ts";

let tmp: string;
let project: string;
let sessions: string;
beforeEach(() => {
  tmp = makeTempDir("conclave-sessions-cli-");
  project = join(tmp, "api");
  sessions = join(project, "sessions");
  mkdirSync(project);
  writeFileSync(join(project, "CONTEXT.md"), "# API\n");
});
afterEach(() => removeDir(tmp));

// `conclave sessions <args>` in this process, its output collected.
async function sessionsCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return sessionsCliWith({}, ...args);
}

// The same, under the environment `env`.
async function sessionsCliWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env, process };
  const code = await main(["sessions", ...args], io);
  return { code, stdout, stderr };
}

describe("conclave sessions", () => {
  it("lists a project's sessions, newest updated last: updated, id, project, turns, cost, last message", async () => {
    const older = writeDemoSession(sessions, { updatedAt: "2026-12-01T08:30:00.000Z", project: null });
    const newer = writeDemoSession(sessions, { updatedAt: "2026-12-02T09:02:00.000Z", project });
    const { code, stdout, stderr } = await sessionsCli("--project", project);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe(`updated           id                      ${"project".padEnd(project.length)}  turns     cost  last message`);
    expect(lines[2]).toBe(`2026-12-01 08:30  ${older.id}  -${" ".repeat(project.length - 1)}      2  $0.0212  Actually, can we use Socket.IO instead?`);
    expect(lines[3]).toBe(`2026-12-02 09:02  ${newer.id}  ${project}      2  $0.0212  Actually, can we use Socket.IO instead?`);
    expect(lines.slice(4)).toEqual(["", `2 sessions in \`${sessions}/\`, newest updated last.`, ""]);
  });

  it("prints the rows as JSON with --json", async () => {
    writeDemoSession(sessions);
    const { code, stdout } = await sessionsCli("--project", project, "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(listSessions(sessions));
  });

  it("takes the project from CONCLAVE_PROJECT without --project, as conclave chat does, and --project over it", async () => {
    const s = writeDemoSession(sessions, { project });
    const listed = await sessionsCliWith({ CONCLAVE_PROJECT: project });
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(listed.stdout.split("\n")[2]).toContain(s.id);
    expect(listed.stdout).toContain(`1 session in \`${sessions}/\`, newest updated last.`);
    const other = join(tmp, "web");
    mkdirSync(other);
    expect((await sessionsCliWith({ CONCLAVE_PROJECT: project }, "--project", other)).stdout).toBe(
      `No sessions in \`${join(other, "sessions")}/\` yet. Start one with \`npx conclave chat\` --project ${other} (or \`npx conclave ask "<task>"\`).\n`,
    );
    const missing = join(tmp, "nowhere");
    expect(await sessionsCliWith({ CONCLAVE_PROJECT: missing })).toEqual({
      code: 1,
      stdout: "",
      stderr: `conclave: \`CONCLAVE_PROJECT\`: no project directory at \`${missing}\` under ${process.cwd()}. Pass a project directory such as \`projects/demo\`, or leave CONCLAVE_PROJECT out to use ./.conclave/sessions.\n`,
    });
  });

  it("says how to start one when there are none", async () => {
    expect(await sessionsCli("--project", project)).toEqual({
      code: 0,
      stdout: `No sessions in \`${sessions}/\` yet. Start one with \`npx conclave chat\` --project ${project} (or \`npx conclave ask "<task>"\`).\n`,
      stderr: "",
    });
  });
});

describe("conclave sessions export", () => {
  it("prints the Markdown transcript on stdout by default, and JSON with --format json", async () => {
    const s = writeDemoSession(sessions);
    expect(await sessionsCli("export", s.id, "--project", project)).toEqual({ code: 0, stdout: exportSession(sessions, s.id, "md"), stderr: "" });
    const json = await sessionsCli("export", "latest", "--format", "json", "--project", project);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ format: "conclave-session/1", session: s.record, messages: s.messages });
  });

  it("writes --out atomically and says where", async () => {
    const s = writeDemoSession(sessions);
    const out = join(tmp, "session.json");
    const { code, stdout } = await sessionsCli("export", s.id, "--format", "json", "--out", out, "--project", project);
    expect(code).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text).toBe(exportSession(sessions, s.id, "json"));
    expect(stdout).toBe(`Wrote ${out} (json, ${Buffer.byteLength(text)} bytes).\n`);
  });
});

describe("conclave sessions import", () => {
  it("imports an export as an equal session, under a new id when its own is taken", async () => {
    const s = writeDemoSession(sessions);
    const file = join(tmp, "export.json");
    writeFileSync(file, exportSession(sessions, s.id, "json"));
    const other = join(tmp, "other");
    mkdirSync(other);

    const first = await sessionsCli("import", file, "--project", other);
    expect(first).toEqual({ code: 0, stdout: `Imported ${file} as session ${s.id} in \`${join(other, "sessions")}/\`: 5 messages, 2 turns.\n`, stderr: "" });
    const copied = openStoredSession(join(other, "sessions"), s.id);
    expect(copied.record).toEqual(s.record);
    expect(copied.messages).toEqual(s.messages);

    const again = await sessionsCli("import", file, "--project", other);
    const id = /as session (\S+) /.exec(again.stdout)![1]!;
    expect(again.stdout).toBe(`Imported ${file} as session ${id} in \`${join(other, "sessions")}/\` (its id \`${s.id}\` is taken there, so it has a new one): 5 messages, 2 turns.\n`);
    expect(openStoredSession(join(other, "sessions"), id).record).toEqual({ ...s.record, id });
  });

  it("exits 1 naming the file and the field of a bad export", async () => {
    const file = join(tmp, "bad.json");
    writeFileSync(file, JSON.stringify({ format: "conclave-session/1", session: { id: "x" }, messages: [] }));
    const { code, stderr } = await sessionsCli("import", file, "--project", project);
    expect(code).toBe(1);
    expect(stderr).toBe(`conclave: cannot import ${file}: \`session.project\`: Invalid input: expected string, received undefined (and 7 more problems). Pass a file written by \`conclave sessions export <id> --format json\`.\n`);
  });
});

describe("conclave sessions search", () => {
  it("lists the messages that contain the text, with an excerpt", async () => {
    const s = writeDemoSession(sessions);
    const { code, stdout } = await sessionsCli("search", "socket.io", "--project", project);
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      "session                 message  role  at                excerpt",
      "----------------------  -------  ----  ----------------  ---------------------------------------",
      `${s.id}       #5  user  2026-12-02 09:02  Actually, can we use Socket.IO instead?`,
      "",
      `1 message in 1 session of \`${sessions}/\` contain "socket.io".`,
      "",
    ]);
  });

  it("says so when nothing matches, and prints JSON hits with --json", async () => {
    const s = writeDemoSession(sessions);
    expect(await sessionsCli("search", "kubernetes", "--project", project)).toEqual({ code: 0, stdout: `No message in \`${sessions}/\` contains "kubernetes".\n`, stderr: "" });
    const { stdout } = await sessionsCli("search", "recommends", "--json", "--project", project);
    expect(JSON.parse(stdout)).toEqual([{ session_id: s.id, index: 3, role: "assistant", at: "2026-12-02T09:01:05.000Z", excerpt: "The team recommends 5 steps. I'll start with the handler mo…" }]);
  });
});

describe("conclave sessions with bad arguments", () => {
  it.each([
    [["frobnicate"], "conclave: unknown subcommand `frobnicate` of `conclave sessions`: expected export, import or search, or none to list the sessions. Run `conclave sessions --help`.\n"],
    [["export"], "conclave: no session given. Usage: conclave sessions export <id|latest> [--format md|json] [--out <file>].\n"],
    [["export", "latest", "--format", "pdf"], 'conclave: `--format` must be md or json, got "pdf".\n'],
    [["--format", "md"], "conclave: `--format` is for `conclave sessions export`, not `conclave sessions`. Run `conclave sessions --help`.\n"],
    [["import"], "conclave: no file given. Usage: conclave sessions import <file> [--project <dir>]; the file is one `conclave sessions export <id> --format json` wrote.\n"],
    [["search"], "conclave: no text given. Usage: conclave sessions search <text> [--project <dir>] [--json].\n"],
    [["--nope"], "conclave: Unknown option '--nope'. Run `conclave sessions --help` for the options.\n"],
  ])("exits 1 on %j with a message that says what to do", async (args, message) => {
    expect(await sessionsCli(...args, "--project", project)).toEqual({ code: 1, stdout: "", stderr: message });
  });

  it("exits 1 naming the directory and the ids there for an unknown session", async () => {
    const s = writeDemoSession(sessions);
    expect(await sessionsCli("export", "20200101-000000-abcdef", "--project", project)).toEqual({
      code: 1,
      stdout: "",
      stderr: `conclave: no session \`20200101-000000-abcdef\` under ${sessions}: the newest are \`${s.id}\`. Run \`conclave sessions\` to list them, or pass \`latest\`.\n`,
    });
  });

  it("exits 1 on a project directory that does not exist", async () => {
    const missing = join(tmp, "nowhere");
    expect(await sessionsCli("--project", missing)).toEqual({
      code: 1,
      stdout: "",
      stderr: `conclave: \`--project\`: no project directory at \`${missing}\` under ${process.cwd()}. Pass a project directory such as \`projects/demo\`, or leave --project out to use ./.conclave/sessions.\n`,
    });
  });
});
