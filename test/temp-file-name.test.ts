import { describe, expect, it } from "vitest";
import { isTempFileName, tempFileName } from "../framework/temp-file-name.ts";

describe("tempFileName()", () => {
  it("names a file beside the target with this process's pid and 8 hex digits, which isTempFileName() recognises", () => {
    const name = tempFileName("/proj/deliverables/plan.md");
    expect(name).toMatch(new RegExp(`^/proj/deliverables/plan\\.md\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
    expect(isTempFileName(name)).toBe(true);
    expect(tempFileName("a")).not.toBe(tempFileName("a"));
  });

  it("never gives the same name twice in a process", () => {
    const names = new Set(Array.from({ length: 10_000 }, () => tempFileName("a")));
    expect(names.size).toBe(10_000);
    for (const name of names) expect(name).toMatch(/^a\.\d+\.[0-9a-f]{8}\.tmp$/);
  });
});

describe("isTempFileName()", () => {
  it("does not take a user's .tmp file for one of ours", () => {
    expect(isTempFileName("notes.tmp")).toBe(false);
    expect(isTempFileName("plan.md.12.abc.tmp")).toBe(false);
    expect(isTempFileName("plan.md.12.0123abcd.tmp.md")).toBe(false);
    expect(isTempFileName("plan.md.12.0123abcd.tmp")).toBe(true);
  });
});
