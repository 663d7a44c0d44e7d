import { execFileSync } from "node:child_process";
import { existsSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createToolbox } from "../../framework/workspace/create-toolbox.ts";
import { tempFileName } from "../../framework/temp-file-name.ts";
import { createWorkspace } from "../../framework/workspace/create-workspace.ts";
import { readTree, tempDir, writeTree } from "./temp-tree.ts";

describe("createWorkspace()", () => {
  it("copies each source into dir/<as>, files, directories and modes, and skips symbolic links", async () => {
    const base = tempDir();
    const source = join(base, "project", "deliverables");
    writeTree(source, { "plan.md": "# Plan\n", "src/run.sh": { content: "#!/bin/sh\n", executable: true }, "empty/": "" });
    symlinkSync("/etc/passwd", join(source, "passwd"));
    const dir = join(base, "ws");
    const ws = await createWorkspace({ dir, sources: [{ from: source, as: "deliverables" }] });
    expect(ws).toEqual({
      dir,
      sources: [{ from: source, as: "deliverables", path: join(dir, "deliverables"), files: 2 }],
      skipped: ["deliverables/passwd (symbolic link)"],
    });
    expect(readTree(dir)).toEqual({
      deliverables: "<dir>",
      "deliverables/empty": "<dir>",
      "deliverables/plan.md": "# Plan\n",
      "deliverables/src": "<dir>",
      "deliverables/src/run.sh": "[x] #!/bin/sh\n",
    });
  });

  it("leaves out the framework's temporary files, but copies a user's file that merely ends in .tmp", async () => {
    const base = tempDir();
    const source = join(base, "deliverables");
    writeTree(source, { "plan.md": "# Plan\n", "notes.tmp": "mine\n" });
    const half = tempFileName(join(source, "summary.md"));
    writeFileSync(half, "half written");
    expect(half).toMatch(/summary\.md\.\d+\.[0-9a-f]{8}\.tmp$/);
    const ws = await createWorkspace({ dir: join(base, "ws"), sources: [{ from: source, as: "deliverables" }] });
    expect(ws.sources[0]?.files).toBe(2);
    expect(readTree(join(base, "ws"))).toEqual({ deliverables: "<dir>", "deliverables/notes.tmp": "mine\n", "deliverables/plan.md": "# Plan\n" });
  });

  it("copies a source that another process keeps writing atomically and deleting, without failing", async () => {
    const base = tempDir();
    const source = join(base, "deliverables");
    writeTree(source, { "stable.md": "kept\n" });
    // The other writer: temp file, rename into place, delete, over and over, until the copies are done.
    let copying = true;
    const writer = (async () => {
      for (let i = 0; copying && i < 100_000; i++) {
        const path = join(source, `sub${i % 3}`, `file${i % 7}.md`);
        const temp = tempFileName(path);
        await writeFile(temp, `${i}\n`).catch(() => {});
        await rename(temp, path).catch(() => {});
        if (i % 2) await rm(join(source, `sub${(i + 1) % 3}`), { recursive: true, force: true });
        else await mkdir(join(source, `sub${i % 3}`), { recursive: true });
      }
    })();
    try {
      for (let n = 0; n < 40; n++) {
        const ws = await createWorkspace({ dir: join(base, `ws${n}`), sources: [{ from: source, as: "d" }] });
        const copied = Object.keys(readTree(ws.dir));
        expect(copied).toContain("d/stable.md");
        expect(copied.filter((p) => p.endsWith(".tmp"))).toEqual([]);
      }
    } finally {
      copying = false;
      await writer;
    }
  });

  it("creates a source that does not exist yet, empty, and its empty copy", async () => {
    const base = tempDir();
    const source = join(base, "project", "deliverables");
    const ws = await createWorkspace({ dir: join(base, "ws"), sources: [{ from: source, as: "out/deliverables" }] });
    expect(statSync(source).isDirectory()).toBe(true);
    expect(ws.sources[0]?.files).toBe(0);
    expect(readTree(join(base, "ws"))).toEqual({ out: "<dir>", "out/deliverables": "<dir>" });
  });

  it("refuses an `as` that leads outside the workspace", async () => {
    const base = tempDir();
    await expect(
      createWorkspace({ dir: join(base, "ws"), sources: [{ from: join(base, "src"), as: "../elsewhere" }] }),
    ).rejects.toThrow('Refused path "../elsewhere": it leads outside the workspace.');
    expect(existsSync(join(base, "elsewhere"))).toBe(false);
  });

  it("gives two agents copies that do not see each other's parallel writes, and leaves the source unchanged", async () => {
    const base = tempDir();
    const source = join(base, "deliverables");
    writeTree(source, { "answer.md": "original\n" });
    const [one, two] = await Promise.all(
      ["a", "b"].map((agent) => createWorkspace({ dir: join(base, "runs", agent), sources: [{ from: source, as: "deliverables" }] })),
    );
    const toolsOne = createToolbox({ root: one!.dir, writable: true });
    const toolsTwo = createToolbox({ root: two!.dir, writable: true });
    const results = await Promise.all([
      toolsOne.call("write_file", { path: "deliverables/answer.md", content: "from a\n" }),
      toolsTwo.call("write_file", { path: "deliverables/answer.md", content: "from b\n" }),
      toolsOne.call("write_file", { path: "deliverables/only-a.md", content: "a\n" }),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await toolsOne.call("read_file", { path: "deliverables/answer.md" })).toEqual({ ok: true, content: "from a\n" });
    expect(await toolsTwo.call("read_file", { path: "deliverables/answer.md" })).toEqual({ ok: true, content: "from b\n" });
    expect((await toolsTwo.call("read_file", { path: "deliverables/only-a.md" })).ok).toBe(false);
    expect(readTree(source)).toEqual({ "answer.md": "original\n" });
  });
});

describe("createWorkspace() and special files", () => {
  it("skips a named pipe in a source without opening it, and says so", async () => {
    const base = tempDir();
    const source = join(base, "deliverables");
    writeTree(source, { "a.md": "a\n" });
    execFileSync("mkfifo", [join(source, "pipe")]);
    const ws = await createWorkspace({ dir: join(base, "ws"), sources: [{ from: source, as: "deliverables" }] });
    expect(ws.skipped).toEqual(["deliverables/pipe (not a regular file)"]);
    expect(readTree(join(base, "ws"))).toEqual({ deliverables: "<dir>", "deliverables/a.md": "a\n" });
  });
});
