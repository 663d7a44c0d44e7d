import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../framework/runner/cli.ts";
import { REPO, runCli, type CliOutcome } from "../support/cli-process.ts";

// Every command's help against the README's CLI section, so the two cannot drift: the commands
// are the `npx conclave <command>` lines of its first code block, and a command's flags are the
// `--flags` on its line and in the first column of its "option of `<command>`" table.

interface Documented {
  commands: string[];
  flags: Map<string, Set<string>>;
}

function readmeCli(): Documented {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const start = readme.indexOf("\n## The CLI\n");
  if (start < 0) throw new Error("README.md has no `## The CLI` section");
  const section = readme.slice(start + 1, readme.indexOf("\n## ", start + 1));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("the CLI section of README.md has no code block");
  const flags = new Map<string, Set<string>>();
  const add = (command: string, text: string) => {
    const set = flags.get(command) ?? new Set<string>();
    for (const flag of text.match(/--[a-z][a-z-]*/g) ?? []) if (flag !== "--help") set.add(flag);
    flags.set(command, set);
  };
  const commands: string[] = [];
  for (const line of block.split("\n")) {
    const match = /^npx conclave (\S+)(.*)$/.exec(line);
    if (!match) continue;
    // A command with subcommands (`sessions export …`) has a line each: one command, their flags together.
    if (!commands.includes(match[1]!)) commands.push(match[1]!);
    add(match[1]!, match[2]!);
  }
  let table: string | undefined;
  for (const line of section.split("\n")) {
    const header = /^\| option of `([a-z]+)`/.exec(line);
    if (header) table = header[1]!;
    else if (!line.startsWith("|")) table = undefined;
    else if (table) add(table, line.split("|")[1]!);
  }
  return { commands, flags };
}

// The flags a help text lists as options: `  --name …` or `  -n, --name …` at the start of a line.
function optionsOf(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-[a-z], )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((f) => f !== "--help");
}

// `conclave <args>` in this process, its output collected.
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {}, process };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const documented = readmeCli();
const helps = new Map<string, CliOutcome>();

beforeAll(async () => {
  // The real command, once per documented command, four at a time (fifteen processes at once on two
  // busy cores could outlast the hook's limit, and every test of the file would fail with it).
  const queue = [...documented.commands];
  const worker = async () => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) helps.set(c, await runCli([c, "--help"], { cwd: REPO }));
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}, 120_000);

describe("the README's CLI section", () => {
  it("documents every command and finds flags for those that have them", () => {
    expect(documented.commands).toEqual(expect.arrayContaining(["ask", "run", "status", "runs", "validate", "init", "help"]));
    expect([...documented.flags.get("ask")!]).toContain("--runs-dir");
    expect([...documented.flags.get("run")!]).toContain("--confirm");
    expect([...documented.flags.get("init")!]).toEqual(["--dir"]);
    expect([...documented.flags.get("sessions")!].sort()).toEqual(["--format", "--json", "--out", "--project"]);
    expect([...documented.flags.get("ask")!]).toContain("--continue");
  });
});

describe.each(documented.commands)("conclave %s --help", (command) => {
  it("exits 0 and prints its own usage first, then an example", () => {
    const outcome = helps.get(command)!;
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    expect(outcome.stdout.split("\n")[0]).toMatch(new RegExp(`^Usage: conclave ${command}( |$)`));
    expect(outcome.stdout).toMatch(new RegExp(`^Examples:\\n {2}npx conclave ${command === "help" ? "help" : command}\\b`, "m"));
  });

  it("lists every flag the README gives the command, and no flag the README leaves out", () => {
    const help = helps.get(command)!.stdout;
    expect(optionsOf(help).sort()).toEqual([...documented.flags.get(command)!].sort());
    expect(help).toMatch(/^ {2}-h, --help {2,}Show this help\.$/m);
  });

  it("prints the same with -h and with `conclave help " + command + "`", async () => {
    const { stdout } = helps.get(command)!;
    expect(await inProcess([command, "-h"])).toEqual({ code: 0, stdout, stderr: "" });
    expect(await inProcess(["help", command])).toEqual({ code: 0, stdout, stderr: "" });
  });
});

describe("conclave help", () => {
  it("lists every documented command, and says each has its own --help", async () => {
    const { code, stdout } = await inProcess(["help"]);
    expect(code).toBe(0);
    for (const command of documented.commands) expect(stdout).toMatch(new RegExp(`^ {2}${command}\\b`, "m"));
    expect(stdout).toContain("Run `conclave <command> --help` (or `conclave help <command>`) for a command's options and examples.");
  });

  it("exits 1 on an unknown command, naming it", async () => {
    expect(await inProcess(["help", "nope"])).toEqual({ code: 1, stdout: "", stderr: "conclave: unknown command `nope`. Run `conclave help` to see the commands.\n" });
  });
});

describe("a command missing its argument", () => {
  it("says the usage and points at the command's --help", async () => {
    expect(await inProcess(["init"])).toEqual({ code: 1, stdout: "", stderr: "conclave: no project name given. Usage: conclave init <name> [--dir <dir>]; `conclave init --help` says more.\n" });
    expect(await inProcess(["run"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "conclave: no workflow script given. Usage: conclave run <workflow.ts> [options]; `conclave run --help` lists the options.\n",
    });
  });
});

describe("a workflow script's own --help", () => {
  it("exits 0 with the script's usage, every flag of `run` in the README, and an example naming the script", async () => {
    const outcome = await runCli(["workflows/feature.ts", "--help"], { cwd: REPO, command: [process.execPath, "--import", "tsx"] });
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    expect(outcome.stdout.split("\n").slice(0, 2)).toEqual(["Usage: npx tsx workflows/feature.ts [options]", "   or: npx conclave run workflows/feature.ts [options]"]);
    expect(optionsOf(outcome.stdout).sort()).toEqual([...documented.flags.get("run")!].sort());
    expect(outcome.stdout).toMatch(/^Examples:\n {2}npx tsx workflows\/feature\.ts /m);
  });

  it("under `npx conclave run <script> --help` names that launcher first, in the usage and the examples (npx tsx fails on top-level await in a CommonJS package)", async () => {
    const outcome = await runCli(["--no-install", "conclave", "run", "workflows/feature.ts", "--help"], { cwd: REPO, command: ["npx"], timeoutMs: 30_000 });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout.split("\n").slice(0, 2)).toEqual(["Usage: npx conclave run workflows/feature.ts [options]", "   or: npx tsx workflows/feature.ts [options]"]);
    expect(outcome.stdout).toMatch(/^Examples:\n {2}npx conclave run workflows\/feature\.ts /m);
  });
});
