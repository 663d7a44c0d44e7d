import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../framework/errors.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { tempDir, thrownBy } from "./temp-dir.ts";

const base = tempDir();
const project = openProject(join(base, "demo"), { create: true });
const deliverables = project.deliverablesDir;
const outside = join(base, "outside");
mkdirSync(outside);

function refusal(path: string): string {
  const error = thrownBy(() => project.deliver(path, "x"));
  expect(error).toBeInstanceOf(ConfigError);
  return error.message;
}

const hint = `Give a path relative to \`${deliverables}\`, e.g. \`summary.md\` or \`docs/api.md\`.`;

describe("project.deliver()", () => {
  it("writes the file inside deliverables/, creating its directories, and returns its absolute path", () => {
    const path = project.deliver("docs/api/summary.md", "# Summary\n");
    expect(path).toBe(join(deliverables, "docs", "api", "summary.md"));
    expect(readFileSync(path, "utf8")).toBe("# Summary\n");
    expect(readdirSync(join(deliverables, "docs", "api"))).toEqual(["summary.md"]);
  });

  it("replaces a file atomically, by renaming a new file over it, leaving no temporary file", () => {
    const path = project.deliver("plan.md", "v1");
    const before = statSync(path).ino;
    project.deliver("./plan.md", "v2");
    expect(readFileSync(path, "utf8")).toBe("v2");
    expect(statSync(path).ino).not.toBe(before);
    expect(readdirSync(deliverables).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("follows a symbolic link that stays inside deliverables/", () => {
    mkdirSync(join(deliverables, "real"));
    symlinkSync(join(deliverables, "real"), join(deliverables, "alias"));
    project.deliver("alias/x.md", "via alias");
    expect(readFileSync(join(deliverables, "real", "x.md"), "utf8")).toBe("via alias");
  });

  it("refuses `../x`, naming it, and writes nothing", () => {
    expect(refusal("../x")).toBe(`cannot write \`../x\`: it leads outside \`${deliverables}\`. ${hint}`);
    expect(refusal("docs/../../x")).toBe(`cannot write \`docs/../../x\`: it leads outside \`${deliverables}\`. ${hint}`);
    expect(existsSync(join(project.dir, "x"))).toBe(false);
  });

  it("refuses an absolute path such as `/etc/x`", () => {
    expect(refusal("/etc/x")).toBe(`cannot write \`/etc/x\`: it is an absolute path. ${hint}`);
    expect(refusal(join(deliverables, "inside.md"))).toMatch(/it is an absolute path/);
  });

  it("refuses an empty path and the directory itself", () => {
    expect(refusal("")).toBe(`cannot write \`\`: expected a file path inside \`${deliverables}\`, got "". ${hint}`);
    expect(refusal(".")).toBe(`cannot write \`.\`: it is \`${deliverables}\` itself. ${hint}`);
  });

  it("refuses a symbolic link to a directory outside, and writes nothing there", () => {
    symlinkSync(outside, join(deliverables, "out"));
    expect(refusal("out/x.md")).toBe(`cannot write \`out/x.md\`: it goes through a symbolic link that leads outside \`${deliverables}\`. ${hint}`);
    expect(refusal("out/new/deeper.md")).toBe(
      `cannot write \`out/new/deeper.md\`: it goes through a symbolic link that leads outside \`${deliverables}\`. ${hint}`,
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it("refuses to write through a symbolic link at the file itself, inside or out", () => {
    writeFileSync(join(outside, "target.md"), "untouched");
    symlinkSync(join(outside, "target.md"), join(deliverables, "away.md"));
    symlinkSync(join(deliverables, "real", "x.md"), join(deliverables, "link.md"));
    expect(refusal("away.md")).toBe(
      `cannot write \`away.md\`: it is a symbolic link, which is never followed. ${hint}`,
    );
    expect(refusal("link.md")).toBe(`cannot write \`link.md\`: it is a symbolic link, which is never followed. ${hint}`);
    expect(readFileSync(join(outside, "target.md"), "utf8")).toBe("untouched");
    expect(readFileSync(join(deliverables, "real", "x.md"), "utf8")).toBe("via alias");
  });

  it("refuses a path through a file or onto a directory", () => {
    expect(refusal("plan.md/x")).toBe(`cannot write \`plan.md/x\`: \`plan.md\` is a file, not a directory. ${hint}`);
    expect(refusal("docs")).toBe(`cannot write \`docs\`: it is a directory. ${hint}`);
  });
});
