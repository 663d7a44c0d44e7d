import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { describeStopRequest, onStopRequest, SAME_PRESS_MS, stopReason, type StopRequest, type StopSource } from "../../framework/runner/on-stop-request.ts";

// A process to listen on: signals are events, and its parent can change under it.
function fakeProcess(ppid: number) {
  const emitter = new EventEmitter();
  const source = { on: emitter.on.bind(emitter), off: emitter.off.bind(emitter), ppid, pid: 99_999 } as unknown as StopSource & { ppid: number };
  return { source, emit: (signal: string) => emitter.emit(signal), listeners: (signal: string) => emitter.listenerCount(signal) };
}

describe("onStopRequest()", () => {
  it("takes SIGINT, SIGTERM and SIGHUP as requests, two within 300 ms as one, and stops listening when told", async () => {
    const p = fakeProcess(process.pid);
    const seen: StopRequest[] = [];
    const stop = onStopRequest((r) => seen.push(r), p.source);
    p.emit("SIGINT");
    p.emit("SIGINT"); // the same Ctrl+C, relayed by a launcher
    expect(seen).toEqual([{ kind: "signal", signal: "SIGINT" }]);
    await sleep(SAME_PRESS_MS + 50);
    p.emit("SIGTERM");
    await sleep(SAME_PRESS_MS + 50);
    p.emit("SIGHUP");
    expect(seen.map((r) => (r.kind === "signal" ? r.signal : r.kind))).toEqual(["SIGINT", "SIGTERM", "SIGHUP"]);
    stop();
    expect(["SIGINT", "SIGTERM", "SIGHUP"].map(p.listeners)).toEqual([0, 0, 0]);
  });

  it("tells once, naming the parent, when the process is re-parented", async () => {
    // Our own process as the fake's parent: a node process, not a launcher wrapper, so it alone is watched.
    const p = fakeProcess(process.pid);
    const seen: StopRequest[] = [];
    const told = new Promise<void>((resolve) => {
      const stop = onStopRequest((r) => {
        seen.push(r);
        resolve();
        setTimeout(stop, 600);
      }, p.source);
    });
    p.source.ppid = 1;
    await told;
    await sleep(500); // two more checks: still told once
    expect(seen).toEqual([{ kind: "parent", pid: process.pid }]);
  });
});

describe("onStopRequest() when the terminal closes", () => {
  // A closed terminal hangs up on the process and ends its launcher at once: the hang-up is delivered first, and the
  // watch may find the launcher gone in the same turn of the event loop, before the signal's handler has run.
  it("tells the hang-up, once, when the watch finds the launcher gone as the SIGHUP arrives", async () => {
    const p = fakeProcess(process.pid);
    let reparented = false;
    let sent = false;
    Object.defineProperty(p.source, "ppid", {
      get() {
        if (reparented && !sent) {
          sent = true;
          queueMicrotask(() => p.emit("SIGHUP")); // run before the loop's next phase, as a signal already delivered is
        }
        return reparented ? 1 : process.pid;
      },
    });
    const seen: StopRequest[] = [];
    const stop = onStopRequest((r) => seen.push(r), p.source);
    reparented = true;
    for (let i = 0; i < 100 && !sent; i++) await sleep(10);
    await sleep(SAME_PRESS_MS + 300); // later checks tell nothing more
    stop();
    expect(seen).toEqual([{ kind: "signal", signal: "SIGHUP" }]);
  });

  it("takes a signal just after the launcher was found gone as the same request, not a second one (which quits at once)", async () => {
    const p = fakeProcess(process.pid);
    const seen: StopRequest[] = [];
    let told!: () => void;
    const first = new Promise<void>((resolve) => (told = resolve));
    const stop = onStopRequest((r) => {
      seen.push(r);
      told();
    }, p.source);
    p.source.ppid = 1;
    await first;
    p.emit("SIGHUP");
    await sleep(SAME_PRESS_MS + 50);
    p.emit("SIGTERM"); // later: a second request
    stop();
    expect(seen).toEqual([{ kind: "parent", pid: process.pid }, { kind: "signal", signal: "SIGTERM" }]);
  });
});

describe("describeStopRequest() and stopReason()", () => {
  it("say what stopped the run, in the words of stderr and of status_reason", () => {
    const sigint: StopRequest = { kind: "signal", signal: "SIGINT" };
    const sigterm: StopRequest = { kind: "signal", signal: "SIGTERM" };
    const parent: StopRequest = { kind: "parent", pid: 4242 };
    expect([sigint, sigterm, parent].map((r) => describeStopRequest(r, "the run"))).toEqual([
      "Interrupted: finishing the run (press Ctrl+C again to quit at once).",
      "Interrupted by SIGTERM: finishing the run (send it again to quit at once).",
      "Interrupted: the process that started this one (pid 4242) is gone; finishing the run.",
    ]);
    expect([sigint, sigterm, parent].map(stopReason)).toEqual(["interrupted", "interrupted by SIGTERM", "interrupted: the process that started it (pid 4242) is gone"]);
  });
});
