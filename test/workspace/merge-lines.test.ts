import { describe, expect, it } from "vitest";
import { mergeLines } from "../../framework/workspace/merge-lines.ts";

describe("mergeLines()", () => {
  it("merges changes to different lines", async () => {
    expect(await mergeLines("a\nb\nc\nd\n", "A\nb\nc\nd\n", "a\nb\nc\nD\n")).toBe("A\nb\nc\nD\n");
  });

  it("keeps a last line without a newline as each side left it", async () => {
    expect(await mergeLines("a\nb\nc", "A\nb\nc", "a\nb\nC")).toBe("A\nb\nC");
    expect(await mergeLines("a\nb\nc\n", "A\nb\nc\n", "a\nb\nc")).toBe("A\nb\nc");
  });

  it("merges lines added at different places, and the same change made on both sides", async () => {
    expect(await mergeLines("a\nb\nc\n", "top\na\nb\nc\n", "a\nb\nc\nend\n")).toBe("top\na\nb\nc\nend\n");
    expect(await mergeLines("a\nb\n", "a\nB\n", "a\nB\n")).toBe("a\nB\n");
  });

  it("gives null when both sides changed the same or adjacent lines", async () => {
    expect(await mergeLines("a\nb\n", "A\nb\n", "a2\nb\n")).toBeNull();
    expect(await mergeLines("a\nb\nc\n", "A\nb\nc\n", "a\nB\nc\n")).toBeNull();
  });

  it("merges from and into empty texts", async () => {
    expect(await mergeLines("", "", "new\n")).toBe("new\n");
    expect(await mergeLines("x\n", "", "x\n")).toBe("");
  });
});
