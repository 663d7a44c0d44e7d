import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../framework/workspace/command-policy.ts";
import { createToolbox } from "../../framework/workspace/create-toolbox.ts";
import type { ToolEvent } from "../../framework/workspace/toolbox-options.ts";
import { tempDir } from "./temp-tree.ts";

// The text a section of run_command's output holds, e.g. stdoutOf(content) for "stdout:\n…".
function section(content: string, name: "stdout" | "stderr"): string {
  const match = new RegExp(`\\n${name}:\\n([\\s\\S]*?)(?=\\nstderr:\\n|$)`).exec(content);
  return match?.[1] ?? "";
}

describe("checkCommand()", () => {
  it("checks deny first, by name and by basename", () => {
    const policy = { allow: ["node", "rm", "/bin/rm"], deny: ["rm"] };
    expect(checkCommand(policy, "rm")).toBe('Command "rm" is denied by the command policy. Allowed commands: node.');
    expect(checkCommand(policy, "/bin/rm")).toBe('Command "/bin/rm" is denied by the command policy. Allowed commands: node.');
    expect(checkCommand(policy, "node")).toBeNull();
  });

  it("allows a bare name only as itself, not a program of that name elsewhere", () => {
    const policy = { allow: ["node"], deny: [] };
    expect(checkCommand(policy, "./node")).toBe(
      'Command "./node" is not in the allowlist. Allowed commands: node. Call one of them by name.',
    );
    expect(checkCommand({ allow: [], deny: [] }, "node")).toBe(
      'Command "node" is not in the allowlist. No command is allowed in this run. Call one of them by name.',
    );
  });
});

describe("run_command", () => {
  it("is offered only when the allowlist is non-empty", async () => {
    const root = tempDir();
    const without = createToolbox({ root, writable: true });
    expect(without.has("run_command")).toBe(false);
    expect(without.specs.map((s) => s.name)).toEqual(["read_file", "write_file", "edit_file", "list_files", "search_files", "ask_human"]);
    expect(await without.call("run_command", { command: "node", args: [] })).toEqual({
      ok: false,
      content:
        'There is no tool "run_command" in this run. Available tools: read_file, write_file, edit_file, list_files, search_files, ask_human.',
    });
    const withNode = createToolbox({ root, writable: true, commands: { allow: ["node", "rm"], deny: ["rm"] } });
    expect(withNode.has("run_command")).toBe(true);
    expect(withNode.specs.find((s) => s.name === "run_command")?.description).toMatch(
      / Allowed programs: node\. Commands run in a sandbox: your workspace and a private \/tmp are the only writable places, and there is no network\.$/,
    );
    const unconfined = createToolbox({ root, writable: true, commands: { allow: ["node"], deny: [], sandbox: "none" } });
    expect(unconfined.specs.find((s) => s.name === "run_command")?.description).toMatch(/ Allowed programs: node\. Commands run without a sandbox\.$/);
  });

  it("refuses a command outside the allowlist and reports it to onEvent", async () => {
    const root = tempDir();
    const events: ToolEvent[] = [];
    const tools = createToolbox({ root, writable: true, commands: { allow: ["node"], deny: [] }, onEvent: (e) => events.push(e) });
    const result = await tools.call("run_command", { command: "touch", args: ["made.txt"] });
    const message = 'Command "touch" is not in the allowlist. Allowed commands: node. Call one of them by name.';
    expect(result).toEqual({ ok: false, content: message });
    expect(events).toEqual([{ tool: "run_command", ok: false, detail: message }]);
    expect(existsSync(join(root, "made.txt"))).toBe(false);
  });

  it("lets deny beat allow, also for a path to the denied program", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true, commands: { allow: ["node", "touch"], deny: ["touch"] } });
    for (const command of ["touch", "/usr/bin/touch", "/bin/touch"]) {
      expect(await tools.call("run_command", { command, args: ["made.txt"] })).toEqual({
        ok: false,
        content: `Command "${command}" is denied by the command policy. Allowed commands: node.`,
      });
    }
    expect(existsSync(join(root, "made.txt"))).toBe(false);
  });

  it("never uses a shell: `$HOME; touch pwned` is printed literally and creates no file", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true, commands: { allow: ["echo"], deny: [] } });
    const result = await tools.call("run_command", { command: "echo", args: ["$HOME; touch pwned"] });
    expect(result).toEqual({ ok: true, content: "exit code: 0\nstdout:\n$HOME; touch pwned\n" });
    const split = await tools.call("run_command", { command: "echo `touch pwned2` $(touch pwned3)", args: [] });
    expect(section(split.content, "stdout")).toBe("`touch pwned2` $(touch pwned3)\n");
    expect(["pwned", "pwned2", "pwned3"].filter((f) => existsSync(join(root, f)))).toEqual([]);
  });

  it("runs in the workspace with only the allowlisted variables: PATH, HOME (the workspace), LANG, TERM, TZ and commands.env", async () => {
    const root = tempDir();
    const env = { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", TZ: "UTC", OPENAI_API_KEY: "sk-test", GITHUB_TOKEN: "ghp", KEEP_ME: "yes", DROP_ME: "no" };
    const tools = createToolbox({ root, writable: true, env, commands: { allow: ["node"], deny: [], env: ["KEEP_ME"] } });
    const result = await tools.call("run_command", {
      command: "node",
      args: ["-e", "console.log(JSON.stringify({ cwd: process.cwd(), env: process.env }))"],
    });
    expect(result.ok).toBe(true);
    const seen = JSON.parse(section(result.content, "stdout")) as { cwd: string; env: Record<string, string> };
    expect(seen.cwd).toBe(root);
    // bwrap sets PWD, the working directory.
    expect(seen.env).toEqual({ PATH: "/tmp/.conclave/bin:/usr/local/bin:/usr/bin:/bin", HOME: root, LANG: "C.UTF-8", TZ: "UTC", KEEP_ME: "yes", PWD: root });
  });

  it("reports a non-zero exit code and stderr with ok: false", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true, commands: { allow: ["node"], deny: [] } });
    const result = await tools.call("run_command", { command: "node", args: ["-e", "console.error('bad'); process.exit(3)"] });
    expect(result).toEqual({ ok: false, content: "exit code: 3\nstderr:\nbad\n" });
  });

  it("says so when an allowed program does not exist", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true, commands: { allow: ["no-such-program-xyz"], deny: [] } });
    expect(await tools.call("run_command", { command: "no-such-program-xyz", args: [] })).toEqual({
      ok: false,
      content: 'Command "no-such-program-xyz" was not found.',
    });
  });

  it("kills the sandbox, a detached grandchild included, at the time cap and says so", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true, commandTimeoutMs: 500, commands: { allow: ["node"], deny: [] } });
    // The child starts a detached grandchild (a session of its own) that would write late.txt after 1.5 s, then waits 30 s itself.
    const script = [
      "require('child_process').spawn(process.execPath, ['-e', \"setTimeout(() => require('fs').writeFileSync('late.txt', 'x'), 1500)\"], { stdio: 'ignore', detached: true });",
      "setTimeout(() => {}, 30000);",
    ].join("\n");
    const started = Date.now();
    const result = await tools.call("run_command", { command: "node", args: ["-e", script] });
    expect(Date.now() - started).toBeLessThan(500 + 4000);
    expect(result).toEqual({ ok: false, content: "Command timed out after 500 ms; its sandbox was killed, with every process in it." });
    await new Promise((resolve) => setTimeout(resolve, 1800));
    expect(existsSync(join(root, "late.txt"))).toBe(false);
  });

  it("stops a command when the call is aborted", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true, commands: { allow: ["node"], deny: [] } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await tools.call("run_command", { command: "node", args: ["-e", "setTimeout(() => {}, 30000)"] }, controller.signal);
    expect(result).toEqual({ ok: false, content: "Command was cancelled; its sandbox was killed, with every process in it." });
  });

  it("truncates a large output to the cap, keeping its head and tail, and says so", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true, maxOutputBytes: 1000, commands: { allow: ["node"], deny: [] } });
    const result = await tools.call("run_command", {
      command: "node",
      args: ["-e", "process.stdout.write('H' + 'x'.repeat(199998) + 'T')"],
    });
    expect(result.ok).toBe(true);
    const out = section(result.content, "stdout");
    expect(out.startsWith("[stdout truncated: 200000 bytes in all, the first and last 500 shown]\nHxxx")).toBe(true);
    expect(out).toContain("\n[… 199000 bytes left out …]\n");
    expect(out.endsWith("xxT\n")).toBe(true);
    expect(Buffer.byteLength(result.content)).toBeLessThan(1200);
  });
});
