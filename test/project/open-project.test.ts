import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../framework/errors.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { tempDir, thrownBy } from "./temp-dir.ts";

const base = tempDir();

describe("openProject()", () => {
  it("creates the skeleton with create: CONTEXT.md from the template, filepaths.json, deliverables/ and runs/", () => {
    const project = openProject(join(base, "demo"), { create: true });
    expect(project).toMatchObject({
      name: "demo",
      dir: join(base, "demo"),
      contextPath: join(base, "demo", "CONTEXT.md"),
      filepathsPath: join(base, "demo", "filepaths.json"),
      deliverablesDir: join(base, "demo", "deliverables"),
      runsDir: join(base, "demo", "runs"),
    });
    expect(readdirSync(project.dir).sort()).toEqual(["CONTEXT.md", "deliverables", "filepaths.json", "runs"]);
    expect(readdirSync(project.deliverablesDir)).toEqual([]);
    expect(readdirSync(project.runsDir)).toEqual([".gitignore"]);
    // run directories stay out of the repository the project is in
    expect(readFileSync(join(project.runsDir, ".gitignore"), "utf8")).toMatch(/^# Written by Conclave[^\n]*\n\*\n$/);
    expect(readFileSync(project.filepathsPath, "utf8")).toBe('{\n  "files": [],\n  "directories": []\n}\n');
    expect(readFileSync(project.contextPath, "utf8")).toBe(
      "# demo\n\nEvery run of this project reads this file first. Keep it short and current.\n\n" +
        "## Goals\n\n- What this project should achieve.\n\n" +
        "## Constraints\n\n- What must hold: languages, libraries, style, budget, what must not change.\n\n" +
        "## State\n\n- What is done and what comes next.\n",
    );
  });

  it("keeps existing files and adds only the missing parts with create", () => {
    const dir = join(base, "partial");
    openProject(dir, { create: true });
    writeFileSync(join(dir, "CONTEXT.md"), "# Mine\n");
    rmSync(join(dir, "filepaths.json"));
    rmSync(join(dir, "runs"), { recursive: true });
    openProject(dir, { create: true });
    expect(readFileSync(join(dir, "CONTEXT.md"), "utf8")).toBe("# Mine\n");
    expect(readdirSync(dir).sort()).toEqual(["CONTEXT.md", "deliverables", "filepaths.json", "runs"]);
  });

  it("refuses a missing directory without create, naming it and saying how to make it, and writes nothing", () => {
    const parent = join(base, "empty");
    mkdirSync(parent);
    const error = thrownBy(() => openProject(join(parent, "nowhere")));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `project directory \`${join(parent, "nowhere")}\` does not exist. To create a new project, run \`npx conclave init nowhere --dir ${parent}\`.`,
    );
    expect(readdirSync(parent)).toEqual([]);
  });

  it("suggests the nearest project beside a misspelt one, and writes nothing", () => {
    const parent = join(base, "typo");
    openProject(join(parent, "demo"), { create: true });
    openProject(join(parent, "research"), { create: true });
    expect(thrownBy(() => openProject(join(parent, "dmeo"))).message).toBe(
      `project directory \`${join(parent, "dmeo")}\` does not exist. Did you mean \`${join(parent, "demo")}\`? To create a new project, run \`npx conclave init dmeo --dir ${parent}\`.`,
    );
    expect(readdirSync(parent).sort()).toEqual(["demo", "research"]);
  });

  it("lists the projects beside a missing one when none is near its name", () => {
    const parent = join(base, "listed");
    openProject(join(parent, "demo"), { create: true });
    openProject(join(parent, "research"), { create: true });
    mkdirSync(join(parent, "not-a-project"));
    expect(thrownBy(() => openProject(join(parent, "payroll"))).message).toBe(
      `project directory \`${join(parent, "payroll")}\` does not exist. The projects in \`${parent}\` are \`demo\`, \`research\`. To create a new project, run \`npx conclave init payroll --dir ${parent}\`.`,
    );
  });

  it("names the path relative to the working directory when it is inside it, and leaves out --dir for projects/", () => {
    expect(thrownBy(() => openProject("projects/dmeo")).message).toBe(
      "project directory `projects/dmeo` does not exist. Did you mean `projects/demo`? To create a new project, run `npx conclave init dmeo`.",
    );
  });

  it("refuses a directory without CONTEXT.md", () => {
    const dir = join(base, "bare");
    openProject(dir, { create: true });
    rmSync(join(dir, "CONTEXT.md"));
    expect(thrownBy(() => openProject(dir)).message).toBe(
      `project directory \`${dir}\` has no CONTEXT.md. Write \`${dir}/CONTEXT.md\` (goals, constraints, state), or run \`npx conclave init <name>\` to start a new project from the template.`,
    );
  });

  it("refuses a file where the project directory should be", () => {
    const file = join(base, "a-file");
    writeFileSync(file, "x");
    const message = `project directory \`${file}\` is a file, not a directory. A project is a directory with CONTEXT.md: pass \`--project <dir>\` with one, or run \`npx conclave init <name>\` to create one.`;
    expect(thrownBy(() => openProject(file)).message).toBe(message);
    expect(thrownBy(() => openProject(file, { create: true })).message).toBe(message);
    expect(thrownBy(() => openProject(join(file, "demo"))).message).toBe(`project directory \`${join(file, "demo")}\` does not exist. \`${file}\` is a file, not a directory of projects.`);
    expect(thrownBy(() => openProject(join(file, "demo"), { create: true })).message).toBe(
      `cannot create project \`${join(file, "demo")}\`: a file stands where a directory of that path should be (ENOTDIR). Move what is in the way or pick a place you can write, or pass \`--project <dir>\` with an existing project.`,
    );
  });

  it("lists CONTEXT.md, filepaths.json and every listed file as watched files", () => {
    const project = openProject(join(base, "watched"), { create: true });
    writeFileSync(
      project.filepathsPath,
      JSON.stringify({ files: [{ path: "src/app.ts", description: "" }, { path: "./notes.md" }], directories: [{ path: "docs" }] }),
    );
    expect(project.watchedFiles()).toEqual([project.contextPath, project.filepathsPath, join(project.dir, "src/app.ts"), join(project.dir, "notes.md")]);
  });

  it("still watches CONTEXT.md and filepaths.json while filepaths.json is broken, so a fix is seen", () => {
    const project = openProject(join(base, "broken-watch"), { create: true });
    writeFileSync(project.filepathsPath, "{ nope");
    expect(project.watchedFiles()).toEqual([project.contextPath, project.filepathsPath]);
  });

  it("records runs in runs/index.json and reads them back, newest last", async () => {
    const project = openProject(join(base, "indexed"), { create: true });
    expect(project.runs()).toEqual([]);
    const entry = (run_id: string) => ({
      run_id,
      status: "completed",
      winner: "alpha",
      cost_usd: 0.0125,
      started_at: "2025-01-01T00:00:00.000Z",
      elapsed_seconds: 3.5,
      log_dir: join(project.runsDir, run_id),
      task: "Plan the API",
    });
    await project.recordRun(entry("r1"));
    await project.recordRun({ ...entry("r2"), step: "plan", workflow: "feature", winner: null, cost_usd: null });
    expect(project.runs().map((r) => r.run_id)).toEqual(["r1", "r2"]);
    expect(JSON.parse(readFileSync(join(project.runsDir, "index.json"), "utf8"))).toEqual({
      runs: [entry("r1"), { ...entry("r2"), step: "plan", workflow: "feature", winner: null, cost_usd: null }],
    });
    expect(readdirSync(project.runsDir).sort()).toEqual([".gitignore", "index.json"]);
  });

  it("refuses a run index entry of the wrong shape, naming the field", async () => {
    const project = openProject(join(base, "bad-entry"), { create: true });
    const entry = { run_id: "r1", status: 3, winner: null, cost_usd: null, started_at: "", elapsed_seconds: 0, log_dir: "", task: "" };
    await expect(project.recordRun(entry as never)).rejects.toThrow(new ConfigError("recordRun() entry status: expected string"));
  });

  it("names the file, line and field of a damaged run index", () => {
    const project = openProject(join(base, "bad-index"), { create: true });
    writeFileSync(join(project.runsDir, "index.json"), '{\n  "runs": [\n    { "run_id": 7 }\n  ]\n}\n');
    expect(thrownBy(() => project.runs()).message.split("\n")[0]).toBe(`${project.runsDir}/index.json:3 runs[0].run_id: expected string, got 7`);
  });

  it("records a run beside a past entry with a damaged field, leaving that entry as it was for the reader to name", async () => {
    const project = openProject(join(base, "damaged-past"), { create: true });
    const past = { run_id: "r0", status: "completed", winner: "alpha", cost_usd: "lots", started_at: "", elapsed_seconds: 1, log_dir: "", task: "" };
    writeFileSync(join(project.runsDir, "index.json"), `${JSON.stringify({ runs: [past] }, null, 2)}\n`);
    const entry = { run_id: "r1", status: "completed", winner: null, cost_usd: null, started_at: "", elapsed_seconds: 0, log_dir: "", task: "" };
    await project.recordRun(entry);
    expect(JSON.parse(readFileSync(join(project.runsDir, "index.json"), "utf8"))).toEqual({ runs: [past, entry] });
    expect(thrownBy(() => project.runs()).message.split("\n")[0]).toBe(`${project.runsDir}/index.json:7 runs[0].cost_usd: expected number, got "lots"`);
    // An index whose entries have no run_id cannot be rewritten safely: recordRun() names the field and writes nothing.
    writeFileSync(join(project.runsDir, "index.json"), '{\n  "runs": [\n    { "run_id": 7 }\n  ]\n}\n');
    await expect(project.recordRun({ ...entry, run_id: "r2" })).rejects.toThrow(`${project.runsDir}/index.json:3 runs[0].run_id: expected string, got 7`);
    expect(readFileSync(join(project.runsDir, "index.json"), "utf8")).toBe('{\n  "runs": [\n    { "run_id": 7 }\n  ]\n}\n');
  });
});
