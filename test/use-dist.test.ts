// How Conclave starts: from dist/ (the esbuild bundle `npm run build` writes) while it is fresh, else from the
// TypeScript source through tsx. One copy of the repository (its node_modules linked) and one build for the file;
// the tests run in order: dist/ fresh, then a framework file edited (stale), then dist/ removed.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as source from "../framework/index.ts";
import { REPO, cliEnv, makeTempDir, removeDir, runCli, startCli } from "./support/cli-process.ts";

let temp: string;
let copy: string;
let log: string;
let register: string;

/**
 * A workflow as a user writes it: the public API by name, an agent that searches files (in a worker thread), a
 * shell command, and a misused option it catches.
 */
const WORKFLOW = `import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, workflow } from "conclave";

const searcher = { id: "alpha", backend: { type: "scripted", script: [{ tool: "search_files", args: { pattern: "risk" } }, { answer: "searched" }] } };
// An agent running \`conclave\` itself: the package's bin, found from dist/, inside the command sandbox.
const runner = { id: "alpha", backend: { type: "scripted", script: [{ tool: "run_command", args: { command: "conclave", args: ["--version"] } }, { answer: "ran" }] } };

await workflow("check", async ({ ask, run, log, $ }) => {
  const answer = await ask("Name three risks of moving our API to HTTP/3", { mode: "single" });
  log(\`answered: \${answer.status}\`);
  const deliverables = [{ path: "deliverables", permission: "read" as const }];
  const searched = await run({ task: "Search the deliverables", agent_mode: "single", config: { agents: [searcher] }, context_paths: deliverables });
  const ran = await run({ task: "Say which version", agent_mode: "single", config: { agents: [runner], commands: { allow: ["conclave"] } }, context_paths: deliverables });
  for (const line of [searched, ran].flatMap((r) => readFileSync(join(r.log_dir, "events.jsonl"), "utf8").split("\\n")).filter((l) => l.includes('"run.agent.tool_call"'))) {
    const call = JSON.parse(line);
    log(\`tool: \${call.name} ok \${call.ok}\${call.error ? \` \${call.error}\` : ""}\`);
  }
  log((await $\`echo shell works\`).stdout.trim());
  try {
    await ask("Name one more", { refinment: false } as never);
  } catch (error) {
    log(\`caught: \${error instanceof ConfigError} \${(error as Error).message}\`);
  }
});
`;

/** The module URLs a command loaded (through the hook in `register`), and its outcome. */
async function conclave(args: string[]) {
  writeFileSync(log, "");
  const outcome = await runCli(args, { cwd: copy, command: [process.execPath, "--import", register, join(copy, "bin", "conclave.js")], timeoutMs: 60_000 });
  return { ...outcome, loaded: readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

const inCopy = (loaded: string[], part: string) => loaded.filter((url) => url.startsWith(pathToFileURL(join(copy, part)).href));
const frameworkSource = (loaded: string[]) => inCopy(loaded, "framework").filter((url) => /\.ts$/.test(url));
// What the workflow logged, on stderr under --automation (the lines around it carry the run's directory, which differs from run to run).
const logged = (output: string) => output.split("\n").filter((line) => /^(answered: |tool: |shell works|caught: )/.test(line));

beforeAll(() => {
  temp = makeTempDir("conclave-dist-");
  copy = join(temp, "conclave");
  for (const part of ["package.json", "bin", "configs", "framework", "scripts"]) cpSync(join(REPO, part), join(copy, part), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(copy, "node_modules"));
  mkdirSync(join(copy, "workflows"));
  writeFileSync(join(copy, "workflows", "check.ts"), WORKFLOW);
  // A module hook that writes down every module the process loads (hooks run on their own thread).
  log = join(temp, "loaded.txt");
  writeFileSync(join(temp, "hooks.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`);
  register = join(temp, "register.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(temp, "hooks.mjs")).href)});\n`);
  const build = spawnSync(process.execPath, ["scripts/build-dist.mjs"], { cwd: copy, encoding: "utf8" });
  expect(build.stderr).toBe("");
  expect(build.status).toBe(0);
}, 120_000);

afterAll(() => removeDir(temp));

describe("a start with a fresh dist/", () => {
  it("runs conclave ask --dry-run from dist/ on plain node: no framework .ts, no tsx, the default config and prices found", async () => {
    const result = await conclave(["ask", "Name three risks", "--dry-run", "--yes", "--runs-dir", join(temp, "runs")]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("— alpha");
    expect(inCopy(result.loaded, "dist/cli.js")).toHaveLength(1);
    expect(frameworkSource(result.loaded)).toEqual([]);
    expect(result.loaded.filter((url) => url.includes("/node_modules/tsx/"))).toEqual([]);
  });

  it("runs a .ts workflow importing \"conclave\" with the CLI's own modules: a ConfigError thrown inside is the one it imported", async () => {
    const result = await conclave(["run", "workflows/check.ts", "--dry-run", "--automation", "--fresh"]);
    expect(result.code, result.stderr).toBe(0);
    expect(logged(result.stderr)).toEqual([
      "answered: completed",
      "tool: search_files ok true",
      "tool: run_command ok true",
      "shell works",
      "caught: true run option `refinment` is not known: did you mean `refinement`? Correct its name, or remove it.",
    ]);
    expect(inCopy(result.loaded, "dist/index.js")).toHaveLength(1);
    expect(frameworkSource(result.loaded)).toEqual([]);
  });

  it("gives \"conclave\" exactly framework/index.ts's names on plain node", () => {
    const names = spawnSync(process.execPath, ["--input-type=module", "-e", `console.log(JSON.stringify(Object.keys(await import("conclave"))))`], { cwd: copy, encoding: "utf8" });
    expect(names.stderr).toBe("");
    expect(JSON.parse(names.stdout).sort()).toEqual(Object.keys(source).sort());
  });

  it("gives zod's `z` from dist/ with its English messages and no other locale bundled", () => {
    const script = `const { z } = await import("conclave"); console.log(JSON.stringify([Object.keys(z.locales), Object.keys(z.core.locales), z.string().safeParse(3).error.issues[0].message]))`;
    const zod = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: copy, encoding: "utf8" });
    expect(zod.stderr).toBe("");
    expect(JSON.parse(zod.stdout)).toEqual([["en"], ["en"], "Invalid input: expected string, received number"]);
  });

  it("stays on dist/ when a framework file is written again with the same content (as npm's extraction writes every file)", () => {
    const file = join(copy, "framework", "errors.ts");
    writeFileSync(file, readFileSync(file));
    const loaded = spawnSync(process.execPath, ["--input-type=module", "-e", `await import("conclave")`], { cwd: copy, encoding: "utf8" });
    expect(loaded.stderr).toBe("");
    expect(loaded.status).toBe(0);
  });

  it("serves the viewer page with conclave serve", async () => {
    const server = startCli(["serve", "--port", "0", "--runs-dir", join(temp, "runs")], { cwd: copy, timeoutMs: 30_000 });
    let stderr = "";
    server.child.stderr!.on("data", (chunk: string) => (stderr += chunk));
    try {
      const url = await until(() => /Serving (http:\/\/\S+)/.exec(stderr)?.[1], 20_000);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<html");
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });
});

// A process that imports "conclave" and waits; each line on its stdin makes it call analyzeRun() (loaded on that first call,
// from a chunk of its own) on a folder that is not a run, and print what came back.
const LONG_LIVED = `import { createInterface } from "node:readline";
const { analyzeRun } = await import("conclave");
console.log("ready");
for await (const _ of createInterface({ input: process.stdin })) {
  await analyzeRun(".").then(() => console.log("analyzed"), (error) => console.log(\`\${error.name}: \${error.message}\`));
}
`;

function longLived() {
  const child = spawn(process.execPath, ["--input-type=module", "-e", LONG_LIVED], { cwd: copy, env: cliEnv(), stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const line = async (n: number) => until(() => out.split("\n")[n] || undefined, 20_000);
  return { child, line, ask: () => child.stdin.write("go\n") };
}

// The analysis chunk's own code, changed so that a build makes new chunk names; and the build, run as `npm run build` runs it.
let edits = 0;
function rebuildWithAnEdit(): void {
  const file = join(copy, "framework", "analysis", "analyze-run.ts");
  writeFileSync(file, `${readFileSync(file, "utf8")}\n(globalThis as { edits?: number }).edits = ${++edits};\n`);
  const build = spawnSync(process.execPath, ["scripts/build-dist.mjs"], { cwd: copy, encoding: "utf8" });
  expect(build.stderr).toBe("");
  expect(build.status).toBe(0);
}

const analysisChunk = () => (JSON.parse(readFileSync(join(copy, "dist", "manifest.json"), "utf8")).output as string[]).find((n) => n.startsWith("analyze-run-"))!;

describe("a long-lived process when dist/ is built again", () => {
  it("still loads the code it started with after one rebuild, and is told to restart after two", async () => {
    const first = longLived();
    const second = longLived();
    try {
      expect(await first.line(0)).toBe("ready");
      expect(await second.line(0)).toBe("ready");
      const started = analysisChunk();
      rebuildWithAnEdit();
      // The new build has its own analysis chunk; the earlier one is kept beside it for the processes started on it.
      expect(analysisChunk()).not.toBe(started);
      expect(existsSync(join(copy, "dist", started))).toBe(true);
      expect(readFileSync(join(copy, "dist", ".npmignore"), "utf8").split("\n")).toContain(`/${started}`); // never packed
      first.ask();
      expect(await first.line(1)).toMatch(/^NotARunError: /);
      rebuildWithAnEdit();
      expect(existsSync(join(copy, "dist", started))).toBe(false);
      second.ask();
      expect(await second.line(1)).toBe(`Error: conclave: ${started} is no longer in dist/: it was built again since this process started. Restart the process.`);
    } finally {
      first.child.kill();
      second.child.kill();
    }
  }, 120_000);
});

describe("a start after a framework file changed", () => {
  it("loads the source through tsx for the CLI and the workflow alike, with the change", async () => {
    const file = join(copy, "framework", "runs", "check-option-names.ts");
    writeFileSync(file, readFileSync(file, "utf8").replaceAll("Correct its name, or remove it.", "Correct its name (edited), or remove it."));
    const result = await conclave(["run", "workflows/check.ts", "--dry-run", "--automation", "--fresh"]);
    expect(result.code, result.stderr).toBe(0);
    expect(logged(result.stderr)).toEqual([
      "answered: completed",
      "tool: search_files ok true",
      "tool: run_command ok true",
      "shell works",
      "caught: true run option `refinment` is not known: did you mean `refinement`? Correct its name (edited), or remove it.",
    ]);
    expect(inCopy(result.loaded, "dist")).toEqual([]);
    expect(frameworkSource(result.loaded)).toContain(pathToFileURL(file).href);
  });

  it("gives \"conclave\" exactly framework/index.ts's names from the source under tsx", () => {
    const names = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `console.log(JSON.stringify(Object.keys(await import("conclave"))))`], { cwd: copy, encoding: "utf8" });
    expect(names.stderr).toBe("");
    expect(JSON.parse(names.stdout).sort()).toEqual(Object.keys(source).sort());
  });
});

describe("plain node without a usable dist/", () => {
  it("fails to import \"conclave\" with a message that says to build or use tsx", () => {
    rmSync(join(copy, "dist"), { recursive: true, force: true });
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", `await import("conclave")`], { cwd: copy, encoding: "utf8", env: cliEnv() });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `conclave: cannot load the package: its build (dist/) is not usable (dist/manifest.json is missing (run \`npm run build\`)) and this process has no TypeScript loader for the source. Run \`npm run build\` in ${copy}/, or start the program with tsx (\`npx tsx <program>\` or \`node --import tsx <program>\`).`,
    );
  });
});

// Polls `read` every 20 ms until it returns a value, for at most `timeoutMs`.
async function until<T>(read: () => T | undefined, timeoutMs: number): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    const value = read();
    if (value !== undefined) return value;
  }
  throw new Error(`nothing within ${timeoutMs} ms`);
}
