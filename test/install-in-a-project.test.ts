// Conclave in a user's own repository: the packed package installed into a fresh `npm init -y` project (a
// CommonJS package), and a workflow there run offline with `npx conclave run` and with the project's own tsx.
// One pack and one install for the whole file: this is one of the slowest suites.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, cliEnv, makeTempDir, removeDir } from "./support/cli-process.ts";

const exec = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(cwd: string, command: string, args: string[], timeout = 60_000): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env: { ...cliEnv(), CONCLAVE_PROJECT: undefined }, timeout });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** A two-step workflow as a user writes it: one import, a structured answer, a verdict, a deliverable. */
function workflowScript(name: string): string {
  return `import { workflow, z } from "conclave";

await workflow(${JSON.stringify(name)}, async ({ ask, verify, project }) => {
  const risks = await ask("Name three risks of moving our API to HTTP/3", {
    mode: "single",
    output: z.object({ risks: z.array(z.string()) }),
  });
  const check = await verify("Are these risks concrete?", { mode: "single", evidence: risks });
  project.deliver("risks.md", \`risks: \${risks.data?.risks.length}; verdict: \${check.data?.passed}\\n\`);
});
`;
}

let temp: string;
let app: string;

beforeAll(async () => {
  temp = makeTempDir("conclave-install-");
  const packed = await sh(REPO, "npm", ["pack", "--silent", "--pack-destination", temp]);
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(temp, packed.stdout.trim().split("\n").pop()!);
  app = join(temp, "app");
  mkdirSync(app);
  expect((await sh(app, "npm", ["init", "-y"])).code).toBe(0);
  // Every dependency is in npm's cache once this repository is installed; --prefer-offline where one is not.
  let installed = await sh(app, "npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], 120_000);
  if (installed.code !== 0 && installed.stderr.includes("ENOTCACHED")) {
    installed = await sh(app, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], 120_000);
  }
  expect(installed.code, installed.stderr).toBe(0);
  mkdirSync(join(app, "workflows"));
}, 180_000);

afterAll(() => removeDir(temp));

describe("Conclave installed in a fresh npm init -y project", () => {
  it("is a CommonJS package, as npm init -y makes it, with tsx and zod installed alongside Conclave", () => {
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).type).toBe("commonjs");
    expect(["conclave", "tsx"].filter((bin) => existsSync(join(app, "node_modules", ".bin", bin)))).toEqual(["conclave", "tsx"]);
    expect(existsSync(join(app, "node_modules", "zod", "package.json"))).toBe(true);
  });

  it("carries a fresh build (dist/), which the conclave command and \"conclave\" load instead of the TypeScript source", async () => {
    const installed = join(app, "node_modules", "conclave");
    expect(existsSync(join(installed, "dist", "cli.js")) && existsSync(join(installed, "dist", "index.js"))).toBe(true);
    const check = await sh(app, "node", ["--input-type=module", "-e", `const { distProblem } = await import(${JSON.stringify(join(installed, "framework", "use-dist.js"))}); console.log(JSON.stringify(distProblem(${JSON.stringify(installed)})));`]);
    expect(check).toEqual({ code: 0, stdout: '""\n', stderr: "" });
  });

  it("runs a .ts workflow with npx conclave run from a subdirectory, its project at the repository root", async () => {
    writeFileSync(join(app, "workflows", "risks.ts"), workflowScript("risks"));
    const result = await sh(join(app, "workflows"), "npx", ["--no-install", "conclave", "run", "risks.ts", "--dry-run", "--automation"]);
    expect(result.stderr).not.toContain("    at ");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("WORKFLOW: completed");
    expect(readFileSync(join(app, "projects", "risks", "deliverables", "risks.md"), "utf8")).toBe("risks: 3; verdict: true\n");
    expect(readdirSync(join(app, "workflows"))).toEqual(["risks.ts"]);
  });

  it("runs the same workflow as .mts with the project's own tsx (node --import tsx)", async () => {
    writeFileSync(join(app, "workflows", "risks-tsx.mts"), workflowScript("risks-tsx"));
    const result = await sh(app, "node", ["--import", "tsx", "workflows/risks-tsx.mts", "--dry-run", "--automation"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("WORKFLOW: completed");
    expect(readFileSync(join(app, "projects", "risks-tsx", "deliverables", "risks.md"), "utf8")).toBe("risks: 3; verdict: true\n");
  });

  it("says in one line, exit 1, that a package the workflow imports is not installed", async () => {
    writeFileSync(join(app, "needs-left-pad.ts"), `import pad from "left-pad";\nimport { workflow } from "conclave";\n\nawait workflow("pad", async ({ log }) => log(pad("x", 3)));\n`);
    const result = await sh(app, "npx", ["--no-install", "conclave", "run", "needs-left-pad.ts", "--dry-run"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: 'conclave: workflow script `needs-left-pad.ts` imports "left-pad", which is not installed. Install it in your project: npm install left-pad.\n',
    });
    expect(readdirSync(join(app, "projects")).sort()).toEqual(["risks", "risks-tsx"]);
  });
});
