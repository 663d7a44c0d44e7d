import { mkdirSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WorkspaceEscapeError } from "../../framework/errors.ts";
import { confinePath, isInside } from "../../framework/workspace/confine-path.ts";
import { createToolbox } from "../../framework/workspace/create-toolbox.ts";
import { tempDir, writeTree } from "./temp-tree.ts";

const HINT = 'Paths are relative to the workspace root, e.g. "notes/plan.md".';

// base/ws is the workspace; base/ws-evil its sibling (kept empty); base/outside holds a secret.
function layout() {
  const base = tempDir();
  const ws = join(base, "ws");
  const evil = join(base, "ws-evil");
  writeTree(base, { "ws/real/inside.md": "inside\n", "ws-evil/": "", "outside/secret.txt": "secret\n" });
  symlinkSync(join(base, "outside", "secret.txt"), join(ws, "link-to-file"));
  symlinkSync(evil, join(ws, "link-to-dir"));
  symlinkSync(join(evil, "created-through-link.txt"), join(ws, "dangling"));
  symlinkSync(join(ws, "real"), join(ws, "link-inside"));
  return { base, ws, evil, secret: join(base, "outside", "secret.txt") };
}

function refusal(root: string, path: string): string {
  try {
    confinePath(root, path);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkspaceEscapeError);
    expect((error as WorkspaceEscapeError).code).toBe("workspace_escape");
    return (error as Error).message;
  }
  throw new Error(`expected "${path}" to be refused`);
}

describe("confinePath()", () => {
  it("resolves a relative path inside the workspace, new directories included", () => {
    const { ws } = layout();
    expect(confinePath(ws, "src/new/index.ts")).toBe(join(ws, "src", "new", "index.ts"));
    expect(confinePath(ws, "real/../real/inside.md")).toBe(join(ws, "real", "inside.md"));
    expect(confinePath(ws, ".")).toBe(ws);
    expect(confinePath(`${ws}/`, "a.md")).toBe(join(ws, "a.md"));
  });

  it("allows a symbolic link in the middle of a path when it stays inside the workspace", () => {
    const { ws } = layout();
    expect(confinePath(ws, "link-inside/inside.md")).toBe(join(ws, "link-inside", "inside.md"));
  });

  it("accepts a workspace root that is itself reached through a symbolic link", () => {
    const { base, ws } = layout();
    symlinkSync(ws, join(base, "ws-alias"));
    expect(confinePath(join(base, "ws-alias"), "real/inside.md")).toBe(join(base, "ws-alias", "real", "inside.md"));
  });

  it("refuses `..` that leads out of the workspace", () => {
    const { ws } = layout();
    expect(refusal(ws, "../outside/secret.txt")).toBe(
      `Refused path "../outside/secret.txt": it leads outside the workspace. ${HINT}`,
    );
    expect(refusal(ws, "real/../../x")).toBe(`Refused path "real/../../x": it leads outside the workspace. ${HINT}`);
  });

  it("refuses an absolute path, even one inside the workspace", () => {
    const { ws } = layout();
    expect(refusal(ws, "/etc/passwd")).toBe(`Refused path "/etc/passwd": it is an absolute path. ${HINT}`);
    expect(refusal(ws, join(ws, "real"))).toBe(`Refused path "${join(ws, "real")}": it is an absolute path. ${HINT}`);
  });

  it("refuses a sibling that only shares the workspace's name as a prefix (/ws vs /ws-evil)", () => {
    const { ws } = layout();
    expect(isInside("/ws", "/ws-evil/x")).toBe(false);
    expect(isInside("/ws", "/ws/x")).toBe(true);
    expect(refusal(ws, "../ws-evil/x")).toBe(`Refused path "../ws-evil/x": it leads outside the workspace. ${HINT}`);
  });

  it("refuses a symbolic link to a file outside, a symlinked directory outside, a dangling link and a link as the last component", () => {
    const { ws } = layout();
    const isLink = "it is a symbolic link, which is never followed";
    expect(refusal(ws, "link-to-file")).toBe(`Refused path "link-to-file": ${isLink}. ${HINT}`);
    expect(refusal(ws, "link-to-dir")).toBe(`Refused path "link-to-dir": ${isLink}. ${HINT}`);
    expect(refusal(ws, "dangling")).toBe(`Refused path "dangling": ${isLink}. ${HINT}`);
    expect(refusal(ws, "link-inside")).toBe(`Refused path "link-inside": ${isLink}. ${HINT}`);
    expect(refusal(ws, "link-to-dir/new/file.md")).toBe(
      `Refused path "link-to-dir/new/file.md": it goes through a symbolic link that leads outside the workspace. ${HINT}`,
    );
    expect(refusal(ws, "dangling/x.md")).toBe(
      `Refused path "dangling/x.md": it goes through a symbolic link that leads nowhere. ${HINT}`,
    );
  });

  it("refuses a path with a NUL character", () => {
    const { ws } = layout();
    expect(refusal(ws, "a\0b")).toBe(`Refused path "a\0b": it contains a NUL character. ${HINT}`);
  });
});

describe("createToolbox() confinement", () => {
  const attempts: [string, (l: ReturnType<typeof layout>) => string][] = [
    ["`..` into the sibling", () => "../ws-evil/pwned.txt"],
    ["an absolute path into the sibling", (l) => join(l.evil, "pwned.txt")],
    ["a symbolic link to a file outside", () => "link-to-file"],
    ["a symlinked directory pointing outside", () => "link-to-dir/pwned.txt"],
    ["a dangling symbolic link", () => "dangling"],
    ["a symbolic link as the last component", () => "link-inside"],
  ];

  for (const [name, pathOf] of attempts) {
    it(`refuses a write through ${name}, and nothing appears outside the workspace`, async () => {
      const l = layout();
      const events: { tool: string; ok: boolean; detail: string }[] = [];
      const tools = createToolbox({ root: l.ws, writable: true, onEvent: (e) => events.push(e) });
      const path = pathOf(l);
      const write = await tools.call("write_file", { path, content: "pwned\n" });
      const edit = await tools.call("edit_file", { path, old: "secret", new: "pwned" });
      expect(write.ok).toBe(false);
      expect(write.content).toMatch(new RegExp(`^Refused path "${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}": `));
      expect(write.content.endsWith(HINT)).toBe(true);
      expect(edit).toEqual({ ok: false, content: write.content });
      expect(events.map((e) => e.ok)).toEqual([false, false]);
      expect(readdirSync(l.evil)).toEqual([]);
      expect(readFileSync(l.secret, "utf8")).toBe("secret\n");
      mkdirSync(join(l.ws, "still-writable"));
      expect((await tools.call("write_file", { path: "still-writable/ok.md", content: "ok" })).ok).toBe(true);
    });
  }

  it("refuses reads that leave the workspace, through `..` or a link", async () => {
    const l = layout();
    const tools = createToolbox({ root: l.ws, writable: false });
    expect(await tools.call("read_file", { path: "../outside/secret.txt" })).toEqual({
      ok: false,
      content: `Refused path "../outside/secret.txt": it leads outside the workspace. ${HINT}`,
    });
    expect((await tools.call("read_file", { path: "link-to-file" })).ok).toBe(false);
    expect((await tools.call("list_files", { path: "link-to-dir" })).ok).toBe(false);
    expect((await tools.call("search_files", { pattern: "secret", path: ".." })).ok).toBe(false);
  });
});
