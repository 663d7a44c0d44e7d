import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { missingListedFiles } from "../../framework/project/missing-listed-files.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { run } from "../../framework/runs/run.ts";
import { tempDir } from "./temp-dir.ts";

// A project whose filepaths.json lists `present.md`, which exists, and `gone.md` and `src/old.ts`, which do not.
function projectWithMissingFiles(): string {
  const dir = join(tempDir(), "demo");
  mkdirSync(join(dir, "deliverables"), { recursive: true });
  writeFileSync(join(dir, "CONTEXT.md"), "# Demo\n");
  writeFileSync(join(dir, "present.md"), "here\n");
  const files = ["gone.md", "present.md", "src/old.ts"].map((path) => ({ path, description: "a file" }));
  writeFileSync(join(dir, "filepaths.json"), JSON.stringify({ files, directories: [] }));
  return dir;
}

describe("missingListedFiles()", () => {
  it("names the listed files that do not exist, in the list's order", () => {
    expect(missingListedFiles(openProject(projectWithMissingFiles()))).toEqual(["gone.md", "src/old.ts"]);
  });
});

describe("run() on a project whose filepaths.json lists missing files", () => {
  it("warns once per missing file, naming it and filepaths.json, and still runs", async () => {
    const dir = projectWithMissingFiles();
    const project = openProject(dir);
    const notices: string[] = [];
    const result = await run({ task: "Summarise", config: "configs/offline.yaml", dryRun: true, project, env: {}, onNotice: (line) => notices.push(line) });
    expect(result.status).toBe("completed");
    const warning = (path: string) =>
      `Warning: \`${join(dir, "filepaths.json")}\` lists \`${path}\`, which does not exist; the agents see it marked missing. Create it, or remove it from filepaths.json.`;
    expect(notices.filter((l) => l.startsWith("Warning: "))).toEqual([warning("gone.md"), warning("src/old.ts")]);
  });
});
