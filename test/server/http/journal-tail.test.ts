import { appendFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createJournalTail } from "../../../framework/server/http/journal-tail.ts";
import { makeTempDir, removeDir } from "../../support/cli-process.ts";

const dir = makeTempDir("conclave-tail-");
afterAll(() => removeDir(dir));

describe("createJournalTail", () => {
  it("returns each complete line once, numbered from 1, and holds a torn last line until its newline", async () => {
    const path = join(dir, "events.jsonl");
    writeFileSync(path, '{"type":"a"}\n{"type":"b"}\n{"type":"c","text":"caf');
    const tail = createJournalTail(path);
    expect(await tail.read()).toEqual([
      { n: 1, text: '{"type":"a"}' },
      { n: 2, text: '{"type":"b"}' },
    ]);
    expect(await tail.read()).toEqual([]);
    // The rest of the line, a multi-byte character cut in two by the writes.
    const e = Buffer.from("é");
    appendFileSync(path, e.subarray(0, 1));
    expect(await tail.read()).toEqual([]);
    appendFileSync(path, Buffer.concat([e.subarray(1), Buffer.from('"}\n{"type":"d"}\n')]));
    expect(await tail.read()).toEqual([
      { n: 3, text: '{"type":"c","text":"café"}' },
      { n: 4, text: '{"type":"d"}' },
    ]);
    await tail.close();
  });

  it("reads a journal that is not there yet as no lines, and finds it once written", async () => {
    const path = join(dir, "later.jsonl");
    const tail = createJournalTail(path);
    expect(await tail.read()).toEqual([]);
    writeFileSync(path, '{"type":"a"}\n');
    expect(await tail.read()).toEqual([{ n: 1, text: '{"type":"a"}' }]);
    await tail.close();
  });

  it("does not follow a journal that is a symbolic link", async () => {
    writeFileSync(join(dir, "secret.txt"), "not a journal\n");
    symlinkSync(join(dir, "secret.txt"), join(dir, "linked.jsonl"));
    const tail = createJournalTail(join(dir, "linked.jsonl"));
    expect(await tail.read()).toEqual([]);
    await tail.close();
  });
});
