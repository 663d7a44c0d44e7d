import { describe, expect, it } from "vitest";
import { runEvidence, runLiveness } from "../../framework/runs/run-liveness.ts";

const NOW = Date.parse("2026-12-01T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const judge = (evidence: Parameters<typeof runLiveness>[0], alive: number[] = []) => runLiveness(evidence, { now: NOW, host: "devbox", isAlive: (pid) => alive.includes(pid) });

describe("runLiveness()", () => {
  it("calls a run on this host abandoned at once when its pid is gone, however fresh its heartbeat", () => {
    expect(judge({ pid: 4242, host: "devbox", heartbeatAt: ago(100) })).toEqual({ alive: false, reason: "its process (pid 4242 on devbox) is gone" });
  });

  it("keeps a run on this host alive while its pid is, until ten minutes without a heartbeat", () => {
    expect(judge({ pid: 4242, host: "devbox", heartbeatAt: ago(9 * 60_000) }, [4242])).toEqual({ alive: true });
    expect(judge({ pid: 4242, host: "devbox", heartbeatAt: ago(11 * 60_000) }, [4242])).toEqual({
      alive: false,
      reason: "no heartbeat for 660 s, though pid 4242 on devbox exists (reused, or hung)",
    });
  });

  it("judges a run on another host, or one without a pid, by a heartbeat older than 30 s", () => {
    expect(judge({ pid: 4242, host: "buildbox", heartbeatAt: ago(29_000) })).toEqual({ alive: true });
    expect(judge({ pid: 4242, host: "buildbox", heartbeatAt: ago(31_000) })).toEqual({ alive: false, reason: "no heartbeat for 31 s (a run rewrites status.json every 2 s)" });
    expect(judge({ heartbeatAt: ago(45_000) })).toEqual({ alive: false, reason: "no heartbeat for 45 s (a run rewrites status.json every 2 s)" });
    expect(judge({})).toEqual({ alive: false, reason: "no heartbeat for ever (a run rewrites status.json every 2 s)" });
  });

  it("knows this process is alive", () => {
    expect(runLiveness({ pid: process.pid, host: "devbox", heartbeatAt: new Date().toISOString() }, { host: "devbox" })).toEqual({ alive: true });
  });
});

describe("runEvidence()", () => {
  it("takes status.json's heartbeat, its last_updated when it has none, else the description's start", () => {
    expect(runEvidence({ meta: { pid: 1, host: "h", heartbeat_at: "A", last_updated: "B" } }, { pid: 2, started_at: "C" })).toEqual({ pid: 1, host: "h", heartbeatAt: "A" });
    expect(runEvidence({ meta: { last_updated: "B" } }, undefined)).toEqual({ pid: undefined, host: undefined, heartbeatAt: "B" });
    expect(runEvidence(undefined, { pid: 2, host: "h", started_at: "C" })).toEqual({ pid: 2, host: "h", heartbeatAt: "C" });
  });
});
