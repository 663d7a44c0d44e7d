import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../framework/errors.ts";
import { openProject } from "../../framework/project/open-project.ts";
import type { Project } from "../../framework/project/project.ts";
import { tempDir, thrownBy } from "./temp-dir.ts";

const base = tempDir();
let count = 0;

// A project whose CONTEXT.md is `context`, listing `files` (path → content, or null for missing).
function projectWith(context: string, files: Record<string, string | null>, directories: string[] = []): Project {
  const project = openProject(join(base, `p${++count}`), { create: true });
  writeFileSync(project.contextPath, context);
  for (const [path, content] of Object.entries(files)) {
    if (content === null) continue;
    mkdirSync(join(project.dir, path, ".."), { recursive: true });
    writeFileSync(join(project.dir, path), content);
  }
  const list = Object.keys(files).map((path) => ({ path, description: `about ${path}` }));
  writeFileSync(project.filepathsPath, JSON.stringify({ files: list, directories: directories.map((path) => ({ path, description: "the docs" })) }));
  return project;
}

describe("project.context()", () => {
  it("is CONTEXT.md alone when filepaths.json lists nothing", () => {
    expect(projectWith("# Demo\n\nGoals: ship.\n\n\n", {}).context()).toBe("# Demo\n\nGoals: ship.\n");
  });

  it("lists files and directories with descriptions, then the contents of the files that exist", () => {
    const project = projectWith("# Demo", { "src/app.ts": "export const x = 1;\n", "notes.md": "no newline at the end", "gone.md": null }, ["docs"]);
    expect(project.context()).toBe(
      [
        "# Demo",
        "## Files",
        "Paths are relative to the project directory.",
        "- `src/app.ts`: about src/app.ts\n- `notes.md`: about notes.md\n- `gone.md` (missing): about gone.md\n- `docs/` (directory): the docs",
        "### src/app.ts",
        "```\nexport const x = 1;\n```",
        "### notes.md",
        "```\nno newline at the end\n```",
      ].join("\n\n") + "\n",
    );
  });

  it("fences a file with more backticks than the file holds in a row", () => {
    const project = projectWith("# Demo", { "README.md": "Run:\n```sh\nnpm test\n```\n" });
    expect(project.context()).toContain("### README.md\n\n````\nRun:\n```sh\nnpm test\n```\n````\n");
  });

  it("marks a listed directory under files, an empty file and a binary file instead of showing them", () => {
    const project = projectWith("# Demo", { "empty.txt": "", "logo.png": "\x89PNG\x00\x01" });
    mkdirSync(join(project.dir, "src"));
    writeFileSync(project.filepathsPath, JSON.stringify({ files: [{ path: "src" }, { path: "empty.txt" }, { path: "logo.png" }] }));
    expect(project.context()).toBe(
      [
        "# Demo",
        "## Files",
        "Paths are relative to the project directory.",
        "- `src` (a directory)\n- `empty.txt`\n- `logo.png`",
        "### empty.txt",
        "(empty)",
        "### logo.png",
        "(binary, 7 bytes; not shown)",
      ].join("\n\n") + "\n",
    );
  });

  it("cuts a file at 20 KB, on a character boundary, and says so", () => {
    // 20 KB minus one byte of "a", then a 3-byte character that would straddle the cap.
    const project = projectWith("# Demo", { "big.txt": `${"a".repeat(20 * 1024 - 1)}€${"b".repeat(5000)}` });
    const context = project.context();
    expect(context).toContain(`### big.txt\n\n\`\`\`\n${"a".repeat(20 * 1024 - 1)}\n\`\`\`\n\n(cut: the first 20 KB of 24.9 KB are shown)\n`);
  });

  it("caps all file contents at 100 KB, cutting the file that crosses it and naming those left out", () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 7; i++) files[`f${i}.txt`] = String(i).repeat(18 * 1024);
    const context = projectWith("# Demo", files).context();
    for (let i = 1; i <= 5; i++) expect(context).toContain(`### f${i}.txt\n\n\`\`\`\n${String(i).repeat(18 * 1024)}\n\`\`\``);
    expect(context).toContain(
      `### f6.txt\n\n\`\`\`\n${"6".repeat(10 * 1024)}\n\`\`\`\n\n(cut: the first 10 KB of 18 KB are shown; file contents in the project context are capped at 100 KB)`,
    );
    expect(context).not.toContain("### f7.txt");
    expect(context.endsWith("\n\n(not shown, because file contents in the project context are capped at 100 KB: `f7.txt`)\n")).toBe(true);
  });

  it("refuses a CONTEXT.md over the 1 MB default cap, naming the biggest files with their sizes", () => {
    const project = projectWith(`# Big\n${"lorem ipsum ".repeat(128 * 1024)}`, { "notes.md": "n".repeat(30 * 1024), "todo.md": "t".repeat(100) });
    const error = thrownBy(() => project.context());
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `the run's context is 1.5 MB, more than the 1 MB cap (\`context.max_mb\` in the config); the biggest parts: \`${join(project.dir, "CONTEXT.md")}\` 1.5 MB, \`notes.md\` 20 KB (30 KB on disk, cut to 20 KB), \`todo.md\` 100 bytes. ` +
        "Shorten CONTEXT.md to goals, constraints and state (files listed in filepaths.json are cut to 20 KB each), or raise `context.max_mb`. Nothing was sent to a model.",
    );
  });

  it("holds the whole context, listed files included, to a cap it is given", () => {
    const project = projectWith("# Demo\n", { "a.md": "a".repeat(3000) });
    expect(project.context({ maxBytes: 4096 })).toContain("### a.md");
    expect(thrownBy(() => project.context({ maxBytes: 2048 })).message).toBe(
      `the run's context is 3 KB, more than the 2 KB cap (\`context.max_mb\` in the config); the biggest parts: the files filepaths.json lists, with their list 3 KB, \`${join(project.dir, "CONTEXT.md")}\` 7 bytes. ` +
        "Shorten CONTEXT.md to goals, constraints and state (files listed in filepaths.json are cut to 20 KB each), or raise `context.max_mb`. Nothing was sent to a model.",
    );
  });

  it("reads the disk afresh on every call", () => {
    const project = projectWith("# Before", {});
    writeFileSync(project.contextPath, "# After\n");
    expect(project.context()).toBe("# After\n");
  });
});
