import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listSessions } from "../../framework/session/list-sessions.ts";
import { createStoredSession, saveRecord } from "../../framework/session/session-store.ts";
import { makeTempDir, removeDir } from "../support/cli-process.ts";
import { writeDemoSession } from "./session-fixture.ts";

let tmp: string;
beforeEach(() => (tmp = makeTempDir("conclave-sessions-")));
afterEach(() => removeDir(tmp));

describe("listSessions()", () => {
  it("has no rows for a directory that does not exist", () => {
    expect(listSessions(join(tmp, "none"))).toEqual([]);
  });

  it("gives each session's updated time, project, turns, cost and last message, newest updated last", () => {
    const newer = writeDemoSession(tmp, { title: "newer", updatedAt: "2026-12-03T10:00:00.000Z" });
    const older = writeDemoSession(tmp, { title: "older", updatedAt: "2026-12-01T10:00:00.000Z", project: null });
    const rows = listSessions(tmp);
    expect(rows.map((r) => r.id)).toEqual([older.id, newer.id]);
    expect(rows[1]).toEqual({
      id: newer.id,
      title: "newer",
      project: "/work/projects/api",
      created_at: newer.record.created_at,
      updated_at: "2026-12-03T10:00:00.000Z",
      turns: 2,
      runs: 1,
      cost_usd: 0.0212,
      preview: "Actually, can we use Socket.IO instead?",
    });
    expect(rows[0]!.project).toBeNull();
  });

  it("shows an unknown cost as null and a session it cannot read with the reason", () => {
    const unpriced = createStoredSession(tmp, { project: null, title: "t" });
    saveRecord(unpriced.dir, { ...unpriced.record, usage: { ...unpriced.record.usage, runs: { ...unpriced.record.usage.runs, cost_usd: null } } });
    const broken = createStoredSession(tmp, { project: null, title: "t" });
    writeFileSync(join(broken.dir, "session.json"), "{");
    const rows = listSessions(tmp);
    expect(rows.find((r) => r.id === unpriced.id)!.cost_usd).toBeNull();
    expect(rows.find((r) => r.id === broken.id)!.problem).toMatch(new RegExp(`^cannot read ${join(broken.dir, "session.json")}: `));
  });
});
