import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createCoalescedFile } from "../../framework/runs/coalesced-file.ts";
import type { StatusJson } from "../../framework/runs/status-json.ts";
import { cleanRuns, runScripted, scripted } from "../support/scripted-run.ts";

// Every rename the framework makes, counted by target, and still made for real.
const renamed = vi.hoisted(() => [] as string[]);
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const rename: typeof actual.rename = async (from, to) => {
    renamed.push(String(to));
    return actual.rename(from, to);
  };
  return { ...actual, rename, default: { ...actual, rename } };
});

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "conclave-coalesced-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  cleanRuns();
});
beforeEach(() => {
  renamed.length = 0;
});

describe("createCoalescedFile()", () => {
  it("writes an urgent offer at once and the offers after it once, the latest winning", async () => {
    const path = join(tempDir(), "status.json");
    const file = createCoalescedFile(path, 250);
    file.offer('{"n":1}\n', true);
    for (let n = 2; n <= 20; n++) file.offer(`{"n":${n}}\n`, false);
    await file.settle();
    expect(readFileSync(path, "utf8")).toBe('{"n":20}\n');
    expect(renamed.filter((to) => to === path)).toHaveLength(2);
  });

  it("writes nothing more once stopped", async () => {
    const dir = tempDir();
    const path = join(dir, "status.json");
    const file = createCoalescedFile(path, 250);
    file.offer('{"n":1}\n', true);
    file.offer('{"n":2}\n', false);
    file.stop();
    file.offer('{"n":3}\n', true);
    await file.settle();
    expect(readFileSync(path, "utf8")).toBe('{"n":1}\n');
    expect(readdirSync(dir)).toEqual(["status.json"]);
  });

  it("rejects settle() with the error of a write that failed, leaving no temporary file", async () => {
    const dir = tempDir();
    const file = createCoalescedFile(join(dir, "gone", "status.json"), 250);
    file.offer("{}\n", true);
    await expect(file.settle()).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("run() and status.json", () => {
  it("writes status.json fewer times than the run's transitions, parseable whenever read, the last one the final status", async () => {
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
    const { result, files } = await runScripted(
      { agents: ["alpha", "beta", "gamma"].map((id) => scripted(id, { latency_ms: 100 })) },
      { onStart: ({ logDir: d }) => (logDir = d), onStatus: (s) => statuses.push(s) },
    );
    done = true;
    await polling;
    const writes = renamed.filter((to) => to === join(result.log_dir, "status.json")).length;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(statuses.length);
    expect(files.status).toEqual(statuses.at(-1));
    expect(files.status.results.status).toBe("completed");
    expect(reads.errors).toEqual([]);
    expect(reads.ok).toBeGreaterThan(0);
    expect(readdirSync(result.log_dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});
