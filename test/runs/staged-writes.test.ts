import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, watch, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStagedWrites } from "../../framework/runs/staged-writes.ts";
import type { StatusJson } from "../../framework/runs/status-json.ts";
import { sweepStaging } from "../../framework/runs/sweep-staging.ts";
import { cleanRuns, runScripted, scripted } from "../support/scripted-run.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "conclave-staged-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  cleanRuns();
});

// A pid that was a process of this host and is gone now.
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

describe("createStagedWrites()", () => {
  it("writes each file whole, the latest content of a file put again, making its folder, and leaves the staging folder empty", async () => {
    const root = tempDir();
    const writes = createStagedWrites(join(root, ".staging"));
    for (let n = 1; n <= 50; n++) writes.put(join(root, "run", "status.json"), `{"n":${n}}\n`);
    writes.put(join(root, "run", "agents", "alpha", "answer-1.md"), "Use Redis.\n");
    expect(await writes.settle()).toEqual([]);
    expect(readFileSync(join(root, "run", "status.json"), "utf8")).toBe('{"n":50}\n');
    expect(readFileSync(join(root, "run", "agents", "alpha", "answer-1.md"), "utf8")).toBe("Use Redis.\n");
    expect(readdirSync(join(root, ".staging"))).toEqual([]);
  });

  it("puts files in place in the order they were put", async () => {
    const root = tempDir();
    const target = join(root, "run");
    mkdirSync(target);
    const landed: string[] = [];
    // inotify reports each rename into the folder, in the order they happen.
    const watcher = watch(target, (_event, name) => {
      if (name && !landed.includes(name)) landed.push(name);
    });
    try {
      const writes = createStagedWrites(join(root, ".staging"), [target]);
      const names = Array.from({ length: 40 }, (_, i) => `file-${String((i * 17) % 40).padStart(2, "0")}.json`);
      for (const name of names) writes.put(join(target, name), `${"x".repeat(2000)}\n`);
      expect(await writes.settle()).toEqual([]);
      for (let i = 0; i < 200 && landed.length < names.length; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(landed).toEqual(names);
    } finally {
      watcher.close();
    }
  });

  it("writes what was put before seal() and nothing after", async () => {
    const root = tempDir();
    const writes = createStagedWrites(join(root, ".staging"));
    writes.put(join(root, "a.json"), "1\n");
    writes.put(join(root, "b.json"), "2\n");
    writes.seal();
    writes.put(join(root, "c.json"), "3\n");
    writes.put(join(root, "a.json"), "4\n");
    expect(await writes.settle()).toEqual([]);
    expect(readdirSync(root).sort()).toEqual([".staging", "a.json", "b.json"]);
    expect(readFileSync(join(root, "a.json"), "utf8")).toBe("1\n");
  });

  it("resolves settle() with the error of a write that failed, goes on with the others, and leaves no temporary file", async () => {
    const root = tempDir();
    writeFileSync(join(root, "file"), "not a folder");
    const writes = createStagedWrites(join(root, ".staging"));
    writes.put(join(root, "file", "status.json"), "{}\n");
    writes.put(join(root, "ok.json"), "{}\n");
    const errors = await writes.settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(join(root, "file"));
    expect(readFileSync(join(root, "ok.json"), "utf8")).toBe("{}\n");
    expect(readdirSync(join(root, ".staging"))).toEqual([]);
  });
});

describe("sweepStaging()", () => {
  it("removes the temporary files of this host's writers that are gone, and keeps a live writer's, another host's and other files", async () => {
    const staging = join(tempDir(), ".staging");
    rmSync(staging, { recursive: true, force: true });
    await sweepStaging(staging); // no folder: nothing to do
    mkdirSync(staging);
    const pid = deadPid();
    const dead = `status.json.${hostname()}.${pid}.0a1b2c3d.tmp`;
    const live = `answer-1.md.${hostname()}.${process.pid}.0a1b2c3d.tmp`;
    const elsewhere = `vote-1.json.another-host.${pid}.0a1b2c3d.tmp`; // that pid says nothing of another host's processes
    for (const name of [dead, live, elsewhere, "notes.tmp"]) writeFileSync(join(staging, name), "half");
    await sweepStaging(staging);
    expect(readdirSync(staging).sort()).toEqual([live, elsewhere, "notes.tmp"].sort());
  });
});

describe("run() and its run directory", () => {
  it("keeps status.json parseable whenever read, with every file in place when run() resolves", async () => {
    const statuses: StatusJson[] = [];
    let logDir: string | undefined;
    let done = false;
    const reads = { ok: 0, errors: [] as string[] };
    // A reader polling status.json all through the run: every read parses (or the file is not there yet).
    const poll = async () => {
      for (let i = 0; i < 100_000 && !done; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (!logDir) continue;
        try {
          JSON.parse(await readFile(join(logDir, "status.json"), "utf8"));
          reads.ok++;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") reads.errors.push((error as Error).message);
        }
      }
    };
    const polling = poll();
    const { result, files, runsDir } = await runScripted(
      { agents: ["alpha", "beta", "gamma"].map((id) => scripted(id, { latency_ms: 100 })) },
      { onStart: ({ logDir: d }) => (logDir = d), onStatus: (s) => statuses.push(s) },
    );
    done = true;
    await polling;
    expect(result.status).toBe("completed");
    expect(reads.errors).toEqual([]);
    expect(reads.ok).toBeGreaterThan(0);
    // The file holds the final status, and every answer, vote, the final answer and result.json are there.
    expect(files.status.results.status).toBe("completed");
    expect(files.status).toEqual(statuses.at(-1));
    expect(files.result.winner).toBe(result.winner);
    expect(files.read(`final/${result.winner}/answer.txt`)).toBe(`${result.answer!.trimEnd()}\n`);
    expect(Object.values(files.agentFiles).flat().filter((f) => f.startsWith("answer-"))).toHaveLength(result.answers.length);
    expect(readdirSync(runsDir).sort()).toEqual([".staging", result.run_id]);
    expect(readdirSync(join(runsDir, ".staging"))).toEqual([]);
  });

  it("leaves no file of the run open once a cancelled run has resolved, its cut-off calls journaled", async () => {
    const runsDir = tempDir();
    const controller = new AbortController();
    setTimeout(() => controller.abort("cancelled"), 300);
    const { run } = await import("../../framework/runs/run.ts");
    const result = await run({
      task: "Design a cache for the API",
      config: { agents: ["alpha", "beta"].map((id) => scripted(id, { latency_ms: 3_000 })) },
      runsDir,
      env: {},
      signal: controller.signal,
    });
    expect(result.status).toBe("cancelled");
    await new Promise((resolve) => setTimeout(resolve, 100)); // calls failing late, after the run's end
    const open = readdirSync("/proc/self/fd").flatMap((fd) => {
      try {
        return [readlinkSync(join("/proc/self/fd", fd))];
      } catch {
        return [];
      }
    });
    expect(open.filter((path) => path.startsWith(result.log_dir))).toEqual([]);
    const turns = readFileSync(join(result.log_dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; agentId?: string });
    expect(turns.filter((e) => e.type === "run.turn").map((e) => e.agentId).sort()).toEqual(["alpha", "beta"]);
  });
});
