import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicAsync } from "../framework/atomic-write.ts";

const dir = mkdtempSync(join(tmpdir(), "conclave-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic()", () => {
  it("replaces a file whole, leaving no temporary file", () => {
    const path = join(dir, "notes.md");
    writeFileSync(path, "old\n");
    writeFileAtomic(path, "new\n");
    expect(readFileSync(path, "utf8")).toBe("new\n");
    expect(readdirSync(dir)).toEqual(["notes.md"]);
  });

  // `--out /dev/null` or `/dev/stdout`: renaming a file over a device or a pipe would replace it (as root, /dev/null itself).
  it.each([
    ["writeFileAtomic", async (path: string, text: string) => writeFileAtomic(path, text)],
    ["writeFileAtomicAsync", writeFileAtomicAsync],
  ])("%s writes into a named pipe given as the target, which stays a pipe", async (_, write) => {
    const fifo = join(dir, `pipe-${_}`);
    execFileSync("mkfifo", [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // a reader there, so the write does not wait
    try {
      await write(fifo, "exported\n");
      const buffer = Buffer.alloc(64);
      const n = readSync(reader, buffer);
      expect(buffer.subarray(0, n).toString()).toBe("exported\n");
      expect(statSync(fifo).isFIFO()).toBe(true);
      expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    } finally {
      closeSync(reader);
    }
  });
});
