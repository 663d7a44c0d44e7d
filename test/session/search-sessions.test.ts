import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { searchSessions } from "../../framework/session/search-sessions.ts";
import { makeTempDir, removeDir } from "../support/cli-process.ts";
import { writeDemoSession } from "./session-fixture.ts";

let tmp: string;
beforeEach(() => (tmp = makeTempDir("conclave-sessions-")));
afterEach(() => removeDir(tmp));

describe("searchSessions()", () => {
  it("finds a message by a word, whatever its case, with an excerpt around it", () => {
    const s = writeDemoSession(tmp);
    expect(searchSessions(tmp, "socket.io")).toEqual([{ session_id: s.id, index: 4, role: "user", at: "2026-12-02T09:02:00.000Z", excerpt: "Actually, can we use Socket.IO instead?" }]);
  });

  it("finds words in tool calls, one hit per message, across sessions in order", () => {
    const a = writeDemoSession(tmp, { title: "a" });
    const b = writeDemoSession(tmp, { title: "b" });
    const hits = searchSessions(tmp, "WEBSOCKET");
    expect(hits.map((h) => [h.session_id, h.index, h.role])).toEqual([
      [a.id, 0, "user"],
      [a.id, 1, "assistant"],
      [b.id, 0, "user"],
      [b.id, 1, "assistant"],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    expect(hits[1]!.excerpt).toBe('{"task":"Plan WebSocket support","planning_mode":true}');
  });

  it("cuts a long message around the match", () => {
    writeDemoSession(tmp);
    const [hit] = searchSessions(tmp, "recommends");
    expect(hit!.excerpt).toBe("The team recommends 5 steps. I'll start with the handler mo…");
  });

  it("finds nothing for a word no message has, and refuses empty text", () => {
    writeDemoSession(tmp);
    expect(searchSessions(tmp, "kubernetes")).toEqual([]);
    expect(() => searchSessions(tmp, "  ")).toThrow("the text to search for is empty: pass a word or phrase, such as `conclave sessions search websocket`.");
  });
});
