// `conclave run <script>`: a .ts script is an ES module in any package, and a script that cannot load says why in one line.
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, makeTempDir, removeDir, runCli } from "../support/cli-process.ts";

let dir: string;

beforeAll(() => {
  dir = makeTempDir("conclave-run-script-");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cjs-app", type: "commonjs" }));
});
afterAll(() => removeDir(dir));

function script(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

describe("conclave run", () => {
  it("loads a .ts script with import and top-level await as an ES module in a CommonJS package", async () => {
    mkdirSync(join(dir, "lib"), { recursive: true });
    writeFileSync(join(dir, "lib", "greeting.ts"), "export const greeting: string = await Promise.resolve(\"hello\");\n");
    script("esm.ts", 'import { greeting } from "./lib/greeting.ts";\nconsole.log(`${greeting} from ${typeof require === "undefined" ? "a module" : "CommonJS"}`);\n');
    const result = await runCli(["run", "esm.ts"], { cwd: dir });
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: "hello from a module\n", stderr: "" });
  });

  it("names the file, line and column, exit 1, for a script that does not compile", async () => {
    script("broken.ts", "const ok = 1;\nconst = 2;\n");
    const result = await runCli(["run", "broken.ts"], { cwd: dir });
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: 'conclave: broken.ts:2:6: Expected identifier but found "=" (the workflow script does not compile; fix it and run again).\n',
    });
  });

  it("names a relative import that does not exist, exit 1", async () => {
    script("missing.ts", 'import { x } from "./nope.ts";\nconsole.log(x);\n');
    const result = await runCli(["run", "missing.ts"], { cwd: dir });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: "conclave: workflow script `missing.ts` imports a file that does not exist: nope.ts.\n" });
  });

  it("prints what a script threw outside workflow() and its line, not a stack, exit 2", async () => {
    script("throws.ts", 'const answer = 42;\nthrow new TypeError(`no plan for ${answer}`);\n');
    const result = await runCli(["run", "throws.ts"], { cwd: dir });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: "conclave: workflow script `throws.ts` failed: TypeError: no plan for 42 (throws.ts:2)\n" });
  });

  it("finds a workflow's default project and config at the script's repository root, started from a subdirectory", async () => {
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    symlinkSync(REPO, join(dir, "node_modules", "conclave"), "dir");
    mkdirSync(join(dir, "configs"));
    writeFileSync(join(dir, "configs", "default.yaml"), "agents:\n  - id: solo\n    backend: { type: scripted }\n");
    mkdirSync(join(dir, "workflows", "nested"), { recursive: true });
    script("workflows/solo.ts", 'import { workflow } from "conclave";\n\nawait workflow("solo", async ({ ask }) => {\n  await ask("One line", { mode: "single" });\n});\n');
    const result = await runCli(["run", "../solo.ts", "--automation"], { cwd: join(dir, "workflows", "nested"), env: { CONCLAVE_PROJECT: undefined } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`LOG_DIR: ${join(dir, "projects", "solo", "runs")}/`);
    expect(result.stdout).toContain("Winner: solo (");
    expect(existsSync(join(dir, "workflows", "projects"))).toBe(false);
    expect(readdirSync(join(dir, "workflows", "nested"))).toEqual([]);
  });

  it("reads the repository's .env too when started from a subdirectory, the nearer .env winning", async () => {
    // The directory is the suite's: what the test before made may be there already.
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    if (!existsSync(join(dir, "node_modules", "conclave"))) symlinkSync(REPO, join(dir, "node_modules", "conclave"), "dir");
    mkdirSync(join(dir, "configs"), { recursive: true });
    writeFileSync(join(dir, "configs", "default.yaml"), "agents:\n  - id: solo\n    backend: { type: scripted }\n");
    for (const name of ["from-root", "from-here"]) mkdirSync(join(dir, "projects", name, "deliverables"), { recursive: true });
    for (const name of ["from-root", "from-here"]) writeFileSync(join(dir, "projects", name, "CONTEXT.md"), `# ${name}\n`);
    writeFileSync(join(dir, ".env"), `CONCLAVE_PROJECT=${join(dir, "projects", "from-root")}\n`);
    mkdirSync(join(dir, "workflows", "nested"), { recursive: true });
    script("workflows/solo.ts", 'import { workflow } from "conclave";\n\nawait workflow("solo", async ({ ask }) => {\n  await ask("One line", { mode: "single" });\n});\n');
    const cwd = join(dir, "workflows", "nested");
    const fromRoot = await runCli(["run", "../solo.ts", "--automation"], { cwd, env: { CONCLAVE_PROJECT: undefined } });
    expect(fromRoot.code, fromRoot.stderr).toBe(0);
    expect(fromRoot.stdout).toContain(`LOG_DIR: ${join(dir, "projects", "from-root", "runs")}/`);
    writeFileSync(join(cwd, ".env"), `CONCLAVE_PROJECT=${join(dir, "projects", "from-here")}\n`);
    const fromHere = await runCli(["run", "../solo.ts", "--automation"], { cwd, env: { CONCLAVE_PROJECT: undefined } });
    rmSync(join(dir, ".env"));
    rmSync(join(cwd, ".env"));
    expect(fromHere.code, fromHere.stderr).toBe(0);
    expect(fromHere.stdout).toContain(`LOG_DIR: ${join(dir, "projects", "from-here", "runs")}/`);
  });
});
