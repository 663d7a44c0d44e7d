import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffDirectories } from "../../framework/workspace/diff-directories.ts";
import { lines, readTree, SAMPLE_CHANGED, SAMPLE_ORIGINAL, tempDir, writeTree } from "./temp-tree.ts";

// An original tree and a changed copy: modified, added (in a new subdirectory), removed,
// newline at the end gained and lost, empty files, a mode change, unusual names.
function trees() {
  const base = tempDir();
  const original = join(base, "original");
  const changed = join(base, "changed");
  writeTree(original, SAMPLE_ORIGINAL);
  writeTree(changed, SAMPLE_CHANGED);
  return { base, original, changed };
}

function withoutGit(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([path]) => path !== ".git" && !path.startsWith(".git/")));
}

const run = (cwd: string, program: string, args: string[]) => execFileSync(program, args, { cwd, encoding: "utf8", stdio: "pipe" });

describe("diffDirectories()", () => {
  it("writes a git-style patch with /dev/null for added and removed files and no-newline markers", async () => {
    const base = tempDir();
    writeTree(join(base, "a"), { "m.md": "one\ntwo\nthree", "gone.md": "bye\n", "same.md": "=\n" });
    writeTree(join(base, "b"), { "m.md": "one\n2\nthree", "sub/new.md": "hi\n", "same.md": "=\n", "empty.md": "" });
    expect(await diffDirectories(join(base, "a"), join(base, "b"))).toBe(
      [
        "diff --git a/empty.md b/empty.md",
        "new file mode 100644",
        "index 0000000..e69de29",
        "diff --git a/gone.md b/gone.md",
        "deleted file mode 100644",
        "index b023018..0000000",
        "--- a/gone.md",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-bye",
        "diff --git a/m.md b/m.md",
        "index 54d55bf..a623a0b 100644",
        "--- a/m.md",
        "+++ b/m.md",
        "@@ -1,3 +1,3 @@",
        " one",
        "-two",
        "+2",
        " three",
        "\\ No newline at end of file",
        "diff --git a/sub/new.md b/sub/new.md",
        "new file mode 100644",
        "index 0000000..45b983b",
        "--- /dev/null",
        "+++ b/sub/new.md",
        "@@ -0,0 +1 @@",
        "+hi",
        "",
      ].join("\n"),
    );
  });

  it("reports a binary file in one line, and nothing for equal trees", async () => {
    const base = tempDir();
    mkdirSync(join(base, "a"));
    mkdirSync(join(base, "b"));
    writeFileSync(join(base, "a", "img.bin"), Buffer.from([1, 0, 2]));
    writeFileSync(join(base, "b", "img.bin"), Buffer.from([1, 0, 3]));
    expect(await diffDirectories(join(base, "a"), join(base, "b"))).toBe(
      "diff --git a/img.bin b/img.bin\nindex c3027df..d4a0ce6 100644\nBinary files a/img.bin and b/img.bin differ\n",
    );
    expect(await diffDirectories(join(base, "a"), join(base, "a"))).toBe("");
  });

  it("writes the same patch as `git diff`, byte for byte", async () => {
    const { base, original, changed } = trees();
    const repo = join(base, "repo");
    cpSync(original, repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "core.quotePath=true", "-c", "user.name=t", "-c", "user.email=t@t", ...args], {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
      });
    git("init", "-q");
    // No function names after the @@ (diffDirectories writes none).
    writeFileSync(join(repo, ".git", "info", "attributes"), "* diff=plain\n");
    git("config", "diff.plain.xfuncname", "^NEVER MATCHES$");
    git("add", "-A");
    git("commit", "-q", "-m", "original");
    git("rm", "-q", "-r", ".");
    cpSync(changed, repo, { recursive: true });
    git("add", "-A");
    const expected = git("diff", "--cached", "--no-renames", "--no-color", "--no-ext-diff", "--abbrev=7");
    expect(await diffDirectories(original, changed)).toBe(expected);
  });

  it("gives a patch that `git apply` applies cleanly inside a copy of the original, yielding the changed tree", async () => {
    const { base, original, changed } = trees();
    const patchFile = join(base, "changes.patch");
    writeFileSync(patchFile, await diffDirectories(original, changed));
    const copy = join(base, "git-copy");
    cpSync(original, copy, { recursive: true });
    run(copy, "git", ["init", "-q"]);
    run(copy, "git", ["apply", "--check", patchFile]);
    run(copy, "git", ["apply", patchFile]);
    expect(withoutGit(readTree(copy))).toEqual(readTree(changed));
  });

  it("gives a patch that `patch -p1` applies too", async () => {
    const { base, original, changed } = trees();
    const patchFile = join(base, "changes.patch");
    writeFileSync(patchFile, await diffDirectories(original, changed));
    const copy = join(base, "patch-copy");
    cpSync(original, copy, { recursive: true });
    run(copy, "patch", ["-p1", "--batch", "--silent", "--dry-run", "-i", patchFile]);
    run(copy, "patch", ["-p1", "--batch", "--silent", "-i", patchFile]);
    expect(readTree(copy)).toEqual(readTree(changed));
  });

  it("with a prefix, gives a patch that applies from the directory holding the tree", async () => {
    const { base, original, changed } = trees();
    const patch = await diffDirectories(original, changed, { prefix: "deliverables" });
    expect(patch).toContain("--- a/deliverables/modify.md\n+++ b/deliverables/modify.md\n");
    const project = join(base, "project");
    cpSync(original, join(project, "deliverables"), { recursive: true });
    writeFileSync(join(project, "changes.patch"), patch);
    run(project, "git", ["init", "-q"]);
    run(project, "git", ["apply", "--check", "changes.patch"]);
    run(project, "git", ["apply", "changes.patch"]);
    expect(readTree(join(project, "deliverables"))).toEqual(readTree(changed));
  });
});
