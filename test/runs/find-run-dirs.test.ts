import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findRunDirs } from "../../framework/runs/find-run-dirs.ts";
import { tempDir } from "../project/temp-dir.ts";
import { handMadeRun } from "../support/hand-made-run.ts";

describe("findRunDirs()", () => {
  it("finds the directories that hold a run_description.json under each root, skipping other entries and a root that is not there", () => {
    const root = tempDir("conclave-find-");
    const run = handMadeRun(root);
    mkdirSync(join(root, "steps"));
    writeFileSync(join(root, "index.json"), "{}");
    const found = findRunDirs([root, join(root, "missing")]);
    expect(found.map((f) => f.dir)).toEqual([run.dir]);
    expect(found[0]!.mtimeMs).toBeGreaterThan(0);
  });
});
