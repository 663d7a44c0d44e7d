import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../framework/errors.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { tempDir, thrownBy } from "./temp-dir.ts";

const base = tempDir();

describe("initProject()", () => {
  it("creates <baseDir>/<name>/ with the skeleton", () => {
    const project = initProject("demo", base);
    expect(project.dir).toBe(join(base, "demo"));
    expect(project.name).toBe("demo");
    expect(readdirSync(project.dir).sort()).toEqual(["CONTEXT.md", "deliverables", "filepaths.json", "runs"]);
    expect(project.context()).toMatch(/^# demo\n/);
  });

  it("uses an existing empty directory", () => {
    mkdirSync(join(base, "empty"));
    expect(readdirSync(initProject("empty", base).dir).sort()).toEqual(["CONTEXT.md", "deliverables", "filepaths.json", "runs"]);
  });

  it("refuses an existing directory that is not empty, naming what it holds", () => {
    mkdirSync(join(base, "taken"));
    for (const name of ["notes.md", "a.txt", "src", "z"]) writeFileSync(join(base, "taken", name), "");
    const error = thrownBy(() => initProject("taken", base));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `cannot create project \`${join(base, "taken")}\`: the directory exists and is not empty (it holds \`a.txt\`, \`notes.md\`, \`src\`, …). Pick another name, or use it as it is with \`--project ${join(base, "taken")}\`.`,
    );
    expect(readdirSync(join(base, "taken")).sort()).toEqual(["a.txt", "notes.md", "src", "z"]);
  });

  it("refuses a project created twice", () => {
    initProject("twice", base);
    expect(thrownBy(() => initProject("twice", base)).message).toMatch(/^cannot create project `.*\/twice`: the directory exists and is not empty \(it holds `CONTEXT\.md`, `deliverables`, `filepaths\.json`, …\)/);
  });

  it("refuses a file where the directory would go", () => {
    writeFileSync(join(base, "file"), "");
    expect(thrownBy(() => initProject("file", base)).message).toBe(`cannot create project \`${join(base, "file")}\`: a file of that name exists. Pick another name.`);
  });

  it("refuses a --dir under a file, naming the path and the cause, and writes nothing", () => {
    writeFileSync(join(base, "a-file"), "x");
    const error = thrownBy(() => initProject("demo", join(base, "a-file")));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `cannot create project \`${join(base, "a-file", "demo")}\`: a file stands where a directory of that path should be (ENOTDIR). Pick another name, or with \`--dir\` a directory you can write.`,
    );
  });

  it.each(["../escape", "a/b", "", ".", "..", ".hidden", "-flag", "with space", "x".repeat(101)])("refuses the name %j, which is not a simple directory name", (name) => {
    const error = thrownBy(() => initProject(name, base));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `project name ${JSON.stringify(name)} is not a simple directory name: expected up to 100 letters, digits, \`.\`, \`_\` or \`-\`, starting with a letter or digit, e.g. \`npx conclave init my-project\`.`,
    );
  });
});
