import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openProject } from "../../framework/project/open-project.ts";
import { tempDir } from "./temp-dir.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./record-run-child.ts", import.meta.url));
const base = tempDir();

// Starts a child that records `count` runs; `ready` resolves when it is waiting for the go file.
function startChild(dir: string, id: number, count: number, goFile: string) {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir, String(id), String(count), goFile], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.on("exit", () => reject(new Error(`child ${id} exited before it was ready: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
  void exited.then(() => clearTimeout(timer));
  return { ready, exited, stderr: () => stderr };
}

describe("project.recordRun()", () => {
  // 20 calls from 10 processes started together: 10 writers contend for the lock at once, and
  // each process's start-up (tsx) is paid only 10 times, which keeps the test near 5 s.
  it("keeps all 20 entries when 10 processes record 2 runs each at the same moment", async () => {
    const project = openProject(join(base, "busy"), { create: true });
    const goFile = join(base, "go");
    const children = Array.from({ length: 10 }, (_, i) => startChild(project.dir, i, 2, goFile));
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(goFile, "");
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes, children.map((c) => c.stderr()).join("")).toEqual(Array(10).fill(0));

    const index = JSON.parse(readFileSync(join(project.runsDir, "index.json"), "utf8")) as { runs: { run_id: string }[] };
    const expected = Array.from({ length: 10 }, (_, i) => [`run-${i}-0`, `run-${i}-1`]).flat();
    expect(index.runs.map((r) => r.run_id).sort()).toEqual(expected.sort());
    // Each process's own runs stay in the order it recorded them.
    for (let i = 0; i < 10; i++) expect(index.runs.findIndex((r) => r.run_id === `run-${i}-0`)).toBeLessThan(index.runs.findIndex((r) => r.run_id === `run-${i}-1`));
    expect(project.runs()).toHaveLength(20);
    expect(readdirSync(project.runsDir).sort()).toEqual([".gitignore", "index.json"]);
  }, 20_000);
});
