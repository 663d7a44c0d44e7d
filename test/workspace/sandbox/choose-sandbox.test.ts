import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { rememberDotEnvFile } from "../../../framework/dot-env-files.ts";
import { createToolbox } from "../../../framework/workspace/create-toolbox.ts";
import type { CommandSettings } from "../../../framework/workspace/toolbox-options.ts";

// Under /var/tmp, not /tmp: the sandbox's private /tmp would hide an "outside" there for the wrong reason.
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A workspace and, next to it, a directory outside it holding victim.txt.
function layout() {
  const base = mkdtempSync("/var/tmp/conclave-sandbox-");
  dirs.push(base);
  const ws = join(base, "ws");
  const outside = join(base, "outside");
  mkdirSync(ws);
  mkdirSync(outside);
  writeFileSync(join(outside, "victim.txt"), "keep me\n");
  return { ws, outside };
}

const tools = (root: string, commands: Partial<CommandSettings> & { allow: string[] }, env: NodeJS.ProcessEnv = process.env) =>
  createToolbox({ root, writable: true, env, commandTimeoutMs: 20_000, commands: { deny: [], ...commands } });

const stdoutOf = (content: string) => /\nstdout:\n([\s\S]*?)(?=\nstderr:\n|$)/.exec(content)?.[1] ?? "";
const stderrOf = (content: string) => /\nstderr:\n([\s\S]*)$/.exec(content)?.[1] ?? "";

describe("run_command in the bubblewrap sandbox", () => {
  it("stops an allowed git from running a shell command that writes outside the workspace (git -c alias.x='!…')", async () => {
    const { ws, outside } = layout();
    const call = { command: "git", args: ["-c", `alias.x=!touch ${outside}/pwned`, "x"] };
    const result = await tools(ws, { allow: ["git"] }).call("run_command", call);
    expect(result.ok).toBe(false);
    expect(stderrOf(result.content)).toContain(`touch: cannot touch '${outside}/pwned': Read-only file system`);
    expect(existsSync(join(outside, "pwned"))).toBe(false);
    // The same call without the sandbox does create the file: the allowlist alone is no boundary.
    expect((await tools(ws, { allow: ["git"], sandbox: "none" }).call("run_command", call)).ok).toBe(true);
    expect(existsSync(join(outside, "pwned"))).toBe(true);
  });

  it("stops `npm run x` whose script writes outside the workspace", async () => {
    const { ws, outside } = layout();
    const script = `node -e "require('fs').writeFileSync('${outside}/npm.txt', 'x')"`;
    writeFileSync(join(ws, "package.json"), JSON.stringify({ name: "x", version: "1.0.0", scripts: { x: script } }));
    const result = await tools(ws, { allow: ["npm"] }).call("run_command", { command: "npm", args: ["run", "x"] });
    expect(result.ok).toBe(false);
    expect(stderrOf(result.content)).toContain(`EROFS: read-only file system, open '${outside}/npm.txt'`);
    expect(existsSync(join(outside, "npm.txt"))).toBe(false);
  });

  it("stops `node -e` from writing or deleting outside the workspace, whatever `deny: [rm]` says, and lets it write inside and in /tmp", async () => {
    const { ws, outside } = layout();
    const code = [
      "const fs = require('fs');",
      "const tryIt = (what, f) => { try { f(); console.log(what, 'ok'); } catch (e) { console.log(what, e.code); } };",
      `tryIt('write', () => fs.writeFileSync(${JSON.stringify(join(outside, "new.txt"))}, 'x'));`,
      `tryIt('delete', () => fs.rmSync(${JSON.stringify(join(outside, "victim.txt"))}));`,
      "tryIt('inside', () => fs.writeFileSync('inside.txt', 'x'));",
      "tryIt('tmp', () => fs.writeFileSync('/tmp/scratch.txt', 'x'));",
    ].join("\n");
    const result = await tools(ws, { allow: ["node"], deny: ["rm"] }).call("run_command", { command: "node", args: ["-e", code] });
    expect(result).toEqual({ ok: true, content: "exit code: 0\nstdout:\nwrite EROFS\ndelete EROFS\ninside ok\ntmp ok\n" });
    expect(readFileSync(join(outside, "victim.txt"), "utf8")).toBe("keep me\n");
    expect(existsSync(join(outside, "new.txt"))).toBe(false);
    expect(readFileSync(join(ws, "inside.txt"), "utf8")).toBe("x");
    expect(existsSync("/tmp/scratch.txt")).toBe(false);
  });

  it("kills a detached grandchild (its own session) when the command returns", async () => {
    const { ws } = layout();
    // The command starts a detached grandchild that says it started, then writes late.txt after 1 s; the command exits at once.
    const grandchild = "require('fs').writeFileSync('started.txt', 'x'); setTimeout(() => require('fs').writeFileSync('late.txt', 'x'), 1000)";
    const code = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { detached: true, stdio: 'ignore' }).unref(); setTimeout(() => {}, 300);`;
    const sandboxed = await tools(ws, { allow: ["node"] }).call("run_command", { command: "node", args: ["-e", code] });
    expect(sandboxed).toEqual({ ok: true, content: "exit code: 0" });
    expect(existsSync(join(ws, "started.txt"))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(existsSync(join(ws, "late.txt"))).toBe(false);
    // Unconfined, killing the process group misses it: it writes late.txt.
    rmSync(join(ws, "started.txt"));
    expect(await tools(ws, { allow: ["node"], sandbox: "none" }).call("run_command", { command: "node", args: ["-e", code] })).toEqual({ ok: true, content: "exit code: 0" });
    await waitFor(() => existsSync(join(ws, "late.txt")), 5000);
  });

  it("shows no process outside the sandbox: /proc/<ppid>/environ holds no OPENAI_API_KEY of the Conclave process", async () => {
    const { ws } = layout();
    const canary = "sk-canary-5f2b9d";
    const code = [
      "const fs = require('fs');",
      "const pids = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p));",
      "const environs = pids.map((p) => { try { return fs.readFileSync(`/proc/${p}/environ`, 'utf8'); } catch (e) { return e.code; } });",
      "const withKey = environs.filter((e) => e.includes('OPENAI_API_KEY')).length;",
      "console.log(JSON.stringify({ parent: fs.readFileSync(`/proc/${process.ppid}/environ`, 'utf8'), withKey }));",
    ].join("\n");
    const options = { root: ws, writable: true, commands: { allow: ["node"], deny: [] } };
    const call = { command: "node", args: ["-e", code] };
    const seen = JSON.parse(stdoutOf((await inConclaveProcess(options, call, { OPENAI_API_KEY: canary })).content));
    expect(seen.parent).not.toContain("OPENAI_API_KEY");
    expect(seen.withKey).toBe(0);
    // Unconfined, the parent's environ is the Conclave process's own, key included.
    const unconfined = { ...options, commands: { ...options.commands, sandbox: "none" } };
    expect(JSON.parse(stdoutOf((await inConclaveProcess(unconfined, call, { OPENAI_API_KEY: canary })).content)).parent).toContain(`OPENAI_API_KEY=${canary}`);
  });

  it("reads the `.env` that holds the keys as an empty file, though the rest of the file system is readable", async () => {
    const { ws, outside } = layout();
    const dotEnv = join(outside, ".env");
    writeFileSync(dotEnv, "OPENAI_API_KEY=sk-canary-dotenv-5d2e\n");
    const call = { command: "cat", args: [dotEnv, join(outside, "victim.txt")] };
    const hiding = createToolbox({ root: ws, writable: true, env: process.env, commands: { allow: ["cat"], deny: [] }, hidden: [dotEnv] });
    const result = await hiding.call("run_command", call);
    expect(result.ok).toBe(true);
    expect(stdoutOf(result.content)).toBe("keep me\n");
    // Not hidden, it is there to read: the test can tell.
    const plain = createToolbox({ root: ws, writable: true, env: process.env, commands: { allow: ["cat"], deny: [] }, hidden: [] });
    expect(stdoutOf((await plain.call("run_command", call)).content)).toBe("OPENAI_API_KEY=sk-canary-dotenv-5d2e\nkeep me\n");
  });

  it("hides, by default, every .env this process loaded keys from", async () => {
    const { ws, outside } = layout();
    const dotEnv = join(outside, ".env");
    writeFileSync(dotEnv, "ANTHROPIC_API_KEY=sk-canary-loaded-9b3a\n");
    rememberDotEnvFile(dotEnv);
    const result = await createToolbox({ root: ws, writable: true, env: process.env, commands: { allow: ["cat"], deny: [] } }).call("run_command", { command: "cat", args: [dotEnv] });
    expect(result.ok).toBe(true);
    expect(result.content).not.toContain("sk-canary-loaded-9b3a");
  });

  it("has no network, not even the host's loopback, unless `commands.network: true`", async () => {
    const { ws } = layout();
    const connections: Socket[] = [];
    const server = createServer((socket) => {
      connections.push(socket);
      socket.end("hello from the host\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const code = `require('net').connect(${port}, '127.0.0.1').on('data', (d) => process.stdout.write(d)).on('error', (e) => console.log(e.code));`;
      const call = { command: "node", args: ["-e", code] };
      expect(await tools(ws, { allow: ["node"] }).call("run_command", call)).toEqual({ ok: true, content: "exit code: 0\nstdout:\nECONNREFUSED\n" });
      expect(connections).toHaveLength(0);
      expect(await tools(ws, { allow: ["node"], network: true }).call("run_command", call)).toEqual({ ok: true, content: "exit code: 0\nstdout:\nhello from the host\n" });
      expect(connections).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it("puts this package's `conclave` on PATH, with node", async () => {
    const { ws } = layout();
    const result = await tools(ws, { allow: ["conclave"] }).call("run_command", { command: "conclave", args: ["help"] });
    expect(result.ok).toBe(true);
    expect(stdoutOf(result.content)).toContain('ask "<task>"        One run: the agents answer, vote, and the winner presents.');
  });
});

describe("run_command without a sandbox", () => {
  it("refuses under `auto` when bubblewrap is not there, naming the fix", async () => {
    const { ws } = layout();
    const missing = createToolbox({ root: ws, writable: true, bubblewrap: "/nonexistent/bwrap", commands: { allow: ["node"], deny: [] } });
    expect(await missing.call("run_command", { command: "node", args: ["--version"] })).toEqual({
      ok: false,
      content:
        "run_command needs a sandbox and none is available here: bubblewrap (`/nonexistent/bwrap`, from the `bubblewrap` option) was not found. Install it (`apt-get install bubblewrap`), or set `commands.sandbox: none` in the config to run commands without a boundary.",
    });
    const fromEnv = tools(ws, { allow: ["node"] }, { ...process.env, CONCLAVE_BWRAP: "/nonexistent/bwrap-env" });
    expect((await fromEnv.call("run_command", { command: "node", args: ["--version"] })).content).toBe(
      "run_command needs a sandbox and none is available here: bubblewrap (`/nonexistent/bwrap-env`, from `CONCLAVE_BWRAP`) was not found. Install it (`apt-get install bubblewrap`), or set `commands.sandbox: none` in the config to run commands without a boundary.",
    );
  });

  it("refuses under `bwrap` when bubblewrap cannot start a sandbox, with what it said", async () => {
    const { ws } = layout();
    // `false` exists but starts no sandbox: the probe fails as a broken bwrap would.
    const broken = tools(ws, { allow: ["node"], sandbox: "bwrap" }, { ...process.env, CONCLAVE_BWRAP: "false" });
    expect((await broken.call("run_command", { command: "node", args: ["--version"] })).content).toBe(
      "`commands.sandbox` is `bwrap`, but bubblewrap (`false`, from `CONCLAVE_BWRAP`) cannot start a sandbox here (exit code 1, nothing on stderr). Install it (`apt-get install bubblewrap`), or set `commands.sandbox: none` in the config to run commands without a boundary.",
    );
  });

  it("runs unconfined under `none`, still with the allowlisted environment", async () => {
    const { ws, outside } = layout();
    const env = { PATH: "/usr/local/bin:/usr/bin:/bin", OPENAI_API_KEY: "sk-test", LANG: "C.UTF-8" };
    const code = `require('fs').writeFileSync(${JSON.stringify(join(outside, "free.txt"))}, 'x'); console.log(JSON.stringify(process.env))`;
    const result = await tools(ws, { allow: ["node"], sandbox: "none" }, env).call("run_command", { command: "node", args: ["-e", code] });
    expect(JSON.parse(stdoutOf(result.content))).toEqual({ PATH: "/usr/local/bin:/usr/bin:/bin", HOME: ws, LANG: "C.UTF-8" });
    expect(existsSync(join(outside, "free.txt"))).toBe(true);
  });
});

// Runs one run_command call in a separate Conclave process whose own environment holds `env`.
async function inConclaveProcess(options: object, call: object, env: Record<string, string>) {
  const script = fileURLToPath(new URL("./run-one-command.ts", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script, JSON.stringify(options), JSON.stringify(call)], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as { ok: boolean; content: string };
}

// Waits for a condition that another process makes true, checking every 50 ms up to `ms`.
async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`waited ${ms} ms in vain`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
