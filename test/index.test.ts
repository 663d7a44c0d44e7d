import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import * as conclave from "conclave";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the public API", () => {
  it("exports exactly these names, so a change to the surface is deliberate", () => {
    expect(Object.keys(conclave).sort()).toEqual(
      [
        "ConclaveError",
        "NotARunError",
        "analyzeProject",
        "analyzeRun",
        "PLAN_SCHEMA",
        "VERDICT_SCHEMA",
        "WorkspaceEscapeError",
        "createRunNotes",
        "initProject",
        "openProject",
        "openSession",
        "LAUNCH_RUN_SCHEMA",
        "workflow",
        "z",
        "ConfigError",
        "EXIT",
        "ModelApiError",
        "RateLimitError",
        "RunTimeoutError",
        "SimulatedClock",
        "exitCodeFor",
        "loadConfig",
        "parseConfig",
        "run",
        "resumeRun",
        "systemClock",
        "validateConfig",
      ].sort(),
    );
  });

  it("is importable as `conclave` through the package's exports map", () => {
    expect(typeof conclave.run).toBe("function");
  });

  it("forwards a call of a lazily loaded entry point, its errors included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "conclave-not-a-run-"));
    try {
      await expect(conclave.analyzeRun(dir)).rejects.toBeInstanceOf(conclave.NotARunError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("what importing the public API loads", () => {
  it("loads neither provider SDK, zx, chokidar, the server nor the lazy entry points for a scripted run; a provider's SDK only when its client is called", () => {
    const dir = mkdtempSync(join(tmpdir(), "conclave-loads-"));
    try {
      const log = join(dir, "loaded.txt");
      // A module hook that writes down every module the process loads (hooks run on their own thread).
      writeFileSync(join(dir, "hooks.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`);
      writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
      const framework = (file: string) => JSON.stringify(pathToFileURL(join(root, "framework", file)).href);
      writeFileSync(
        join(dir, "script.mts"),
        `const { run } = await import(${framework("index.ts")});
const { createModelClient } = await import(${framework("models/create-model-client.ts")});
const result = await run({ task: "Name three risks", runsDir: ${JSON.stringify(join(dir, "runs"))}, env: {}, config: { agents: [{ id: "alpha", backend: { type: "scripted" } }, { id: "beta", backend: { type: "scripted" } }] } });
if (result.status !== "completed") throw new Error("the run did not complete: " + result.status);
const { appendFileSync } = await import("node:fs");
appendFileSync(${JSON.stringify(log)}, "--- the run completed\\n");
const client = createModelClient({ id: "gamma", backend: { type: "anthropic", base_url: "http://127.0.0.1:9" } }, { clock: { now: () => Date.now() }, env: { ANTHROPIC_API_KEY: "k" }, idleMs: 1000 });
await client.complete({ system: "s", messages: [{ role: "user", content: "hi" }], signal: AbortSignal.abort() }).catch(() => undefined);
export {};
`,
      );
      const child = spawnSync(process.execPath, ["--import", join(dir, "register.mjs"), "--import", "tsx", join(dir, "script.mts")], { cwd: root, encoding: "utf8" });
      expect(child.stderr).toBe("");
      expect(child.status).toBe(0);
      const [beforeCall, afterCall] = readFileSync(log, "utf8").split("--- the run completed\n") as [string, string];
      const packages = (text: string) => [...new Set([...text.matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]!))];
      expect(beforeCall).toContain("/framework/runs/run.ts");
      // workflow(), openSession(), analyzeRun() and analyzeProject() load on their first call.
      expect(["runner/workflow.ts", "session/open-session.ts", "analysis/analyze-run.ts", "analysis/analyze-project.ts"].filter((f) => beforeCall.includes(`/framework/${f}`))).toEqual([]);
      expect(packages(beforeCall).filter((p) => ["@anthropic-ai/sdk", "openai", "zx", "chokidar", "hono", "@hono/node-server", "@modelcontextprotocol/server"].includes(p))).toEqual([]);
      expect(packages(afterCall)).toContain("@anthropic-ai/sdk");
      expect(packages(afterCall)).not.toContain("openai");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
