import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findRepositoryRoot } from "../../framework/runner/find-repository-root.ts";
import { tempDir } from "../project/temp-dir.ts";

describe("findRepositoryRoot", () => {
  const root = tempDir("conclave-root-");
  writeFileSync(join(root, "package.json"), "{}");
  mkdirSync(join(root, "workflows", "deep"), { recursive: true });
  writeFileSync(join(root, "workflows", "deep", "pe.ts"), "");
  const bare = tempDir("conclave-bare-");
  mkdirSync(join(bare, "repo", ".git"), { recursive: true });
  mkdirSync(join(bare, "repo", "scripts"));
  mkdirSync(join(bare, "loose"));

  it("is the nearest directory up from a script that holds package.json", () => {
    expect(findRepositoryRoot(join(root, "workflows", "deep", "pe.ts"))).toBe(root);
  });

  it("starts from a directory itself, and a .git counts as well as a package.json", () => {
    expect(findRepositoryRoot(join(bare, "repo", "scripts"))).toBe(join(bare, "repo"));
    expect(findRepositoryRoot(join(bare, "repo"))).toBe(join(bare, "repo"));
  });

  it("is the fallback when no directory up holds either", () => {
    expect(findRepositoryRoot(join(bare, "loose", "pe.ts"), "/somewhere/else")).toBe("/somewhere/else");
  });
});
