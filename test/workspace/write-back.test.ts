import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeBack } from "../../framework/workspace/write-back.ts";
import { lines, readTree, SAMPLE_CHANGED, SAMPLE_ORIGINAL, tempDir, writeTree } from "./temp-tree.ts";

// A base tree, the winner's changed copy of it, and a project (`target`) that starts equal to the base.
function trees() {
  const root = tempDir();
  const [base, changed, target, conflicts] = ["base", "changed", "target", "conflicts"].map((name) => join(root, name)) as [string, string, string, string];
  writeTree(base, SAMPLE_ORIGINAL);
  writeTree(changed, SAMPLE_CHANGED);
  cpSync(base, target, { recursive: true });
  return { root, base, changed, target, conflicts, options: { base, from: changed, to: target, conflictsDir: conflicts } };
}

const none = { written: [], removed: [], merged: [], conflicts: [] };

describe("writeBack()", () => {
  it("applies every change of the winner to a target still equal to the base, and says what it wrote and removed", async () => {
    const { changed, target, options } = trees();
    expect(await writeBack(options)).toEqual({
      written: [
        "added-empty.txt",
        "café.md",
        "empty-to-text.txt",
        "gains-eol.txt",
        "loses-eol.txt",
        "modify.md",
        "name with space.md",
        "new-dir/sub/added.md",
        "no-eol.txt",
        "run.sh",
        "text-to-empty.txt",
        "tool.sh",
      ],
      removed: ["empty-removed.txt", "old-dir/nested/gone.txt", "remove.md"],
      merged: [],
      conflicts: [],
    });
    // Directories emptied by the winner's deletions go too.
    expect(readTree(target)).toEqual(readTree(changed));
    // Applied again, every file already is as the winner has it.
    expect(await writeBack(options)).toEqual(none);
  });

  it("creates a target that does not exist, from a base that does not exist", async () => {
    const { root, changed } = trees();
    const to = join(root, "fresh", "deliverables");
    await writeBack({ base: join(root, "no-base"), from: changed, to, conflictsDir: join(root, "conflicts") });
    expect(readTree(to)).toEqual(readTree(changed));
  });

  it("never touches a file the winner did not change: one added, edited or deleted in the target meanwhile survives", async () => {
    const { target, options } = trees();
    writeFileSync(join(target, "keep.md"), "the user's edit\n");
    writeFileSync(join(target, "user-added.md"), "mine\n");
    mkdirSync(join(target, "old-dir", "nested", "user"), { recursive: true });
    writeFileSync(join(target, "old-dir", "nested", "user", "notes.md"), "also mine\n");
    const result = await writeBack(options);
    expect(result.conflicts).toEqual([]);
    expect(result.removed).toEqual(["empty-removed.txt", "old-dir/nested/gone.txt", "remove.md"]);
    const tree = readTree(target);
    expect(tree["keep.md"]).toBe("the user's edit\n");
    expect(tree["user-added.md"]).toBe("mine\n");
    // The winner's deletion in old-dir/ leaves the directory, which now holds the user's file.
    expect(tree["old-dir/nested/user/notes.md"]).toBe("also mine\n");
    expect(tree["old-dir/nested/gone.txt"]).toBeUndefined();
  });

  it("merges changes to different lines of the same file, line by line", async () => {
    const { base, changed, target, conflicts, options } = trees();
    writeFileSync(join(target, "modify.md"), lines(12, { 6: "the user's line six" }));
    // A last line without a newline, changed by the winner; the first changed by the user.
    for (const dir of [base, target]) writeFileSync(join(dir, "eol.txt"), "first\nmiddle\nlast");
    writeFileSync(join(changed, "eol.txt"), "first\nmiddle\nlast, the winner's");
    writeFileSync(join(target, "eol.txt"), "first, the user's\nmiddle\nlast");
    const result = await writeBack(options);
    expect(result.merged).toEqual(["eol.txt", "modify.md"]);
    expect(result.conflicts).toEqual([]);
    expect(result.written).not.toContain("modify.md");
    const tree = readTree(target);
    expect(tree["modify.md"]).toBe(lines(12, { 2: "line two", 6: "the user's line six", 11: "line eleven" }));
    expect(tree["eol.txt"]).toBe("first, the user's\nmiddle\nlast, the winner's");
    expect(existsSync(conflicts)).toBe(false);
  });

  it("counts changes to adjacent lines as overlapping, as git does", async () => {
    const { target, options } = trees();
    writeFileSync(join(target, "no-eol.txt"), "first, the user's\nlast without newline");
    expect((await writeBack(options)).conflicts).toEqual(["no-eol.txt"]);
    expect(readTree(target)["no-eol.txt"]).toBe("first, the user's\nlast without newline");
  });

  it("leaves a file changed on the same lines on both sides as it is, keeps the winner's version under conflictsDir, and reports it", async () => {
    const { changed, target, conflicts, options } = trees();
    writeFileSync(join(target, "modify.md"), lines(12, { 2: "the user's line two" }));
    const result = await writeBack(options);
    expect(result.conflicts).toEqual(["modify.md"]);
    expect(result.merged).toEqual([]);
    expect(result.written).toContain("café.md");
    expect(readTree(target)["modify.md"]).toBe(lines(12, { 2: "the user's line two" }));
    expect(readTree(conflicts)).toEqual({ "modify.md": lines(12, { 2: "line two", 11: "line eleven" }) });
    expect(readTree(changed)["modify.md"]).toBe(lines(12, { 2: "line two", 11: "line eleven" }));
  });

  it("treats a binary file changed on both sides as a conflict, never merging it", async () => {
    const { base, changed, target, conflicts, options } = trees();
    const bytes = (...values: number[]) => Buffer.from([0, ...values]);
    for (const dir of [base, target]) writeFileSync(join(dir, "image.bin"), bytes(1, 2, 3));
    writeFileSync(join(changed, "image.bin"), bytes(1, 2, 9));
    writeFileSync(join(target, "image.bin"), bytes(7, 2, 3));
    const result = await writeBack(options);
    expect(result.conflicts).toEqual(["image.bin"]);
    expect(readTree(target)["image.bin"]).toBe(bytes(7, 2, 3).toString("utf8"));
    expect(readTree(conflicts)).toEqual({ "image.bin": bytes(1, 2, 9).toString("utf8") });
  });

  it("reports a conflict when one side deleted a file the other changed, and deletes nothing", async () => {
    const { target, conflicts, options } = trees();
    // The winner deleted remove.md, which the user edited; the user deleted café.md, which the winner edited.
    writeFileSync(join(target, "remove.md"), "the user still needs this\n");
    rmSync(join(target, "café.md"));
    const result = await writeBack(options);
    expect(result.conflicts).toEqual(["café.md", "remove.md"]);
    const tree = readTree(target);
    expect(tree["remove.md"]).toBe("the user still needs this\n");
    expect(tree["café.md"]).toBeUndefined();
    expect(readTree(conflicts)).toEqual({ "café.md": "naïf\n" });
  });

  it("makes the winner's new empty directories, and removes one it deleted only when it is empty here too", async () => {
    const { base, changed, target, options } = trees();
    for (const dir of [base, target]) mkdirSync(join(dir, "drafts", "old"), { recursive: true });
    mkdirSync(join(changed, "empty/inside"), { recursive: true });
    mkdirSync(join(target, "user-empty"));
    writeFileSync(join(target, "old-dir", "user.md"), "mine\n");
    await writeBack(options);
    const tree = readTree(target);
    expect(tree["empty/inside"]).toBe("<dir>");
    expect(tree["drafts"]).toBeUndefined();
    expect(tree["user-empty"]).toBe("<dir>");
    expect(tree["old-dir/user.md"]).toBe("mine\n");
    expect(tree["old-dir/nested"]).toBeUndefined();
  });

  it("reports nothing for a file both sides changed the same way", async () => {
    const { target, options } = trees();
    writeFileSync(join(target, "name with space.md"), "b\n");
    const result = await writeBack(options);
    expect(result.written).not.toContain("name with space.md");
    expect([...result.merged, ...result.conflicts]).toEqual([]);
  });

  it("refuses a symbolic link in the source before changing anything", async () => {
    const { base, changed, target, options } = trees();
    symlinkSync("/etc/passwd", join(changed, "new-dir", "passwd"));
    await expect(writeBack(options)).rejects.toThrow(
      `writeBack: "${join(changed, "new-dir/passwd")}" is a symbolic link; only regular files and directories are written back. Remove it from the workspace and try again.`,
    );
    expect(readTree(target)).toEqual(readTree(base));
  });

  it("refuses to write through a symbolic link in the target, and leaves other links there alone", async () => {
    const { root, changed } = trees();
    const target = join(root, "linked");
    const outside = join(root, "outside");
    mkdirSync(outside);
    mkdirSync(target);
    symlinkSync(outside, join(target, "new-dir"));
    const from = { base: join(root, "no-base"), from: changed, conflictsDir: join(root, "conflicts") };
    await expect(writeBack({ ...from, to: target })).rejects.toThrow(
      `writeBack: "new-dir/sub/added.md" would be written on or through the symbolic link "${join(target, "new-dir")}"; nothing was written. Remove the link from \`${target}\` and try again.`,
    );
    expect(readTree(outside)).toEqual({});
    expect(readTree(target)).toEqual({ "new-dir": "<symlink>" });

    const other = join(root, "other");
    mkdirSync(other);
    symlinkSync(outside, join(other, "kept-link"));
    await writeBack({ ...from, to: other });
    expect(readTree(other)).toEqual({ ...readTree(changed), "kept-link": "<symlink>" });
  });
});
