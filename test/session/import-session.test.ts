import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportSession } from "../../framework/session/export-session.ts";
import { importSession } from "../../framework/session/import-session.ts";
import { openStoredSession } from "../../framework/session/session-store.ts";
import { makeTempDir, removeDir } from "../support/cli-process.ts";
import { writeDemoSession } from "./session-fixture.ts";

let tmp: string;
beforeEach(() => (tmp = makeTempDir("conclave-sessions-")));
afterEach(() => removeDir(tmp));

describe("exportSession() then importSession()", () => {
  it("round-trips to an equal session, keeping its id where it is free", () => {
    const original = writeDemoSession(join(tmp, "a"));
    const file = join(tmp, "export.json");
    writeFileSync(file, exportSession(join(tmp, "a"), original.id, "json"));
    expect(JSON.parse(readFileSync(file, "utf8")).format).toBe("conclave-session/1");

    const imported = importSession(join(tmp, "b"), file);
    expect(imported.id).toBe(original.id);
    expect(imported.renamedFrom).toBeUndefined();
    const read = openStoredSession(join(tmp, "b"), original.id);
    expect(read.record).toEqual(original.record);
    expect(read.messages).toEqual(original.messages);
    expect(readFileSync(join(imported.dir, "messages.jsonl"), "utf8")).toBe(readFileSync(join(original.dir, "messages.jsonl"), "utf8"));
  });

  it("gives the session a new id when its own is taken, and says so", () => {
    const original = writeDemoSession(tmp);
    const file = join(tmp, "export.json");
    writeFileSync(file, exportSession(tmp, "latest", "json"));
    const imported = importSession(tmp, file);
    expect(imported.id).not.toBe(original.id);
    expect(imported.renamedFrom).toBe(original.id);
    const read = openStoredSession(tmp, imported.id);
    expect(read.record).toEqual({ ...original.record, id: imported.id });
    expect(read.messages).toEqual(original.messages);
  });

  it("refuses a file that is missing, not JSON, another format, or has a bad field, naming the file and field", () => {
    const file = join(tmp, "bad.json");
    const advice = "Pass a file written by `conclave sessions export <id> --format json`.";
    expect(() => importSession(tmp, file)).toThrow(`cannot import ${file}: no such file. ${advice}`);
    writeFileSync(file, "{ nope");
    expect(() => importSession(tmp, file)).toThrow(`cannot import ${file}: it is not JSON (`);
    writeFileSync(file, JSON.stringify({ format: "other/2", session: {}, messages: [] }));
    expect(() => importSession(tmp, file)).toThrow(`cannot import ${file}: \`format\`: expected "conclave-session/1" (a file written by \`conclave sessions export --format json\`)`);
    const good = JSON.parse(exportSession(tmp, writeDemoSession(tmp).id, "json"));
    good.messages[2].role = "system";
    writeFileSync(file, JSON.stringify(good));
    expect(() => importSession(join(tmp, "c"), file)).toThrow(`cannot import ${file}: \`messages.2.role\`: Invalid option: expected one of "user"|"assistant"|"tool". ${advice}`);
  });

  it("never uses a file's id that is not an id as a directory name", () => {
    const good = JSON.parse(exportSession(tmp, writeDemoSession(tmp).id, "json"));
    good.session.id = "../../escape";
    const file = join(tmp, "evil.json");
    writeFileSync(file, JSON.stringify(good));
    const imported = importSession(join(tmp, "in"), file);
    expect(imported.renamedFrom).toBe("../../escape");
    expect(imported.dir).toBe(join(tmp, "in", imported.id));
  });
});

describe("exportSession() as Markdown", () => {
  it("writes a readable transcript: header, runs, summary, messages, one line per tool call, tool results clipped", () => {
    const s = writeDemoSession(tmp);
    const md = exportSession(tmp, s.id, "md");
    expect(md.split("\n").slice(0, 20)).toEqual([
      "# WebSocket support",
      "",
      `- Session: ${s.id}`,
      "- Project: /work/projects/api",
      `- Created: ${s.record.created_at}`,
      "- Updated: 2026-12-02T09:02:00.000Z",
      "- Turns: 2",
      "- Cost: $0.0212 (conversation $0.0012, 2 calls, 940 tokens; runs $0.0200, 9 calls, 15000 tokens)",
      "",
      "## Runs",
      "",
      "- 20261202-090001-aaaaaaaaaaaa completed, $0.0200: Plan WebSocket support",
      "",
      "## Summary of messages 1–1",
      "",
      "The person wants WebSocket support.",
      "",
      "## Messages",
      "",
      "**you** (2026-12-02T09:00:00.000Z):",
    ]);
    expect(md).toContain('**orchestrator** (2026-12-02T09:00:01.000Z):\n\n- tool call: `launch_run` {"task":"Plan WebSocket support","planning_mode":true}\n');
    const toolLine = md.split("\n").find((l) => l.startsWith("> **tool result** (launch_run, 2026-12-02T09:01:00.000Z): "))!;
    expect(toolLine.length).toBeLessThan(500);
    expect(toolLine.endsWith("…")).toBe(true);
    expect(md.endsWith("**you** (2026-12-02T09:02:00.000Z):\n\nActually, can we use Socket.IO instead?\n")).toBe(true);
  });
});
