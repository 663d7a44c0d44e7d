import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../framework/errors.ts";
import { jsonSyntaxError } from "../../framework/project/json-syntax-error.ts";
import { openProject } from "../../framework/project/open-project.ts";
import { tempDir, thrownBy } from "./temp-dir.ts";

const base = tempDir();
const project = openProject(join(base, "demo"), { create: true });
const file = project.filepathsPath;

// Writes filepaths.json and returns the ConfigError's message.
function errorFor(text: string): string {
  writeFileSync(file, text);
  const error = thrownBy(() => project.filepaths());
  expect(error).toBeInstanceOf(ConfigError);
  return error.message;
}

describe("project.filepaths()", () => {
  it("reads files and directories, defaulting a missing description to empty", () => {
    writeFileSync(file, JSON.stringify({ files: [{ path: "src/app.ts", description: "the app" }, { path: "notes.md" }], directories: [{ path: "docs", description: "design" }] }));
    expect(project.filepaths()).toEqual({
      files: [{ path: "src/app.ts", description: "the app" }, { path: "notes.md", description: "" }],
      directories: [{ path: "docs", description: "design" }],
    });
  });

  it("lists nothing when filepaths.json does not exist or leaves a list out", () => {
    const other = openProject(join(base, "other"), { create: true });
    writeFileSync(other.filepathsPath, '{ "files": [] }');
    expect(other.filepaths()).toEqual({ files: [], directories: [] });
  });

  it("names the file, line and field of a value of the wrong type, and shows it", () => {
    expect(errorFor('{\n  "files": [\n    { "path": "a.md", "description": "" },\n    { "path": 3, "description": "" }\n  ]\n}\n')).toBe(
      `${file}:4 files[1].path: expected string, got 3`,
    );
  });

  it("refuses an absolute path", () => {
    expect(errorFor('{ "files": [],\n  "directories": [{ "path": "/etc", "description": "" }] }')).toBe(
      `${file}:2 directories[0].path: expected a path relative to the project directory, got the absolute path "/etc"; write it relative to the project directory, e.g. "src/app.ts"`,
    );
  });

  it("refuses a path that leaves the project through `..`", () => {
    expect(errorFor('{ "files": [{ "path": "docs/../../secrets.txt" }] }')).toBe(
      `${file}:1 files[0].path: expected a path inside the project directory, got "docs/../../secrets.txt", which leaves it through \`..\`; list only files inside the project, or copy them in`,
    );
  });

  it("refuses an unknown field, naming it", () => {
    expect(errorFor('{\n  "file": []\n}')).toBe(`${file}:2 (top level): unknown field \`file\`; remove it or check the spelling`);
  });

  it("names the file and line of malformed JSON", () => {
    expect(errorFor('{\n  "files": [\n    { "path": "a.md", },\n  ]\n}\n')).toBe(
      `${file}:3 malformed JSON: expected a double-quoted property name, got \`}\`. Fix the file so it is valid JSON.`,
    );
    expect(errorFor("{\n  // my files\n}")).toBe(`${file}:2 malformed JSON: expected a double-quoted property name, got \`/\`. Fix the file so it is valid JSON.`);
  });
});

describe("jsonSyntaxError()", () => {
  it.each([
    ['{"a": 1}', undefined],
    ['  [1, -2.5e3, "x\\n\\u00e9", true, null, {}]  ', undefined],
    ["", { offset: 0, message: "expected a value, got the end of the file" }],
    ["[1, 2", { offset: 5, message: "expected `,` or `]` after an array item, got the end of the file" }],
    ["{'a': 1}", { offset: 1, message: "expected a double-quoted property name, got `'`" }],
    ['{"a" 1}', { offset: 5, message: "expected `:` after a property name, got `1`" }],
    ['{"a": tru}', { offset: 6, message: "expected a value, got `t`" }],
    ['{"a": 01}', { offset: 7, message: "expected `,` or `}` after a property value, got `1`" }],
    ['"a\\x"', { offset: 3, message: 'expected an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), got `x`' }],
    ["{} {}", { offset: 3, message: "expected the end of the file after the JSON value, got `{`" }],
  ])("finds where %j stops being JSON", (text, expected) => {
    expect(jsonSyntaxError(text)).toEqual(expected);
  });
});
