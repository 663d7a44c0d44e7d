import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConclaveError } from "../../framework/errors.ts";
import { withFileLock } from "../../framework/project/with-file-lock.ts";
import { tempDir } from "./temp-dir.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./lock-wait-child.ts", import.meta.url));
const base = tempDir();

// The lock file a holder writes.
const lockText = (pid: number, host = hostname()) => `${JSON.stringify({ pid, host, token: "0123456789abcdef" })}\n`;

// The pid of a process that has exited: nobody holds a lock with it.
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

async function rejection(promise: Promise<unknown>): Promise<ConclaveError> {
  try {
    await promise;
  } catch (error) {
    return error as ConclaveError;
  }
  throw new Error("expected a rejection, but the lock was taken");
}

describe("withFileLock()", () => {
  it("writes who holds it into the lock file, and removes the file afterwards", async () => {
    const lock = join(base, "mine.lock");
    const inside = await withFileLock(lock, () => JSON.parse(readFileSync(lock, "utf8")));
    expect(inside).toEqual({ pid: process.pid, host: hostname(), token: expect.stringMatching(/^[0-9a-f]{16}$/), pidns: readlinkSync("/proc/self/ns/pid") });
    expect(readdirSync(base)).not.toContain("mine.lock");
  });

  it("breaks a lock whose holder's pid is dead on this host at once, long before it is stale", async () => {
    const lock = join(base, "dead.lock");
    writeFileSync(lock, lockText(deadPid()));
    const start = Date.now();
    const holder = await withFileLock(lock, () => JSON.parse(readFileSync(lock, "utf8")).pid, { staleMs: 60_000, timeoutMs: 60_000 });
    expect(holder).toBe(process.pid);
    expect(Date.now() - start).toBeLessThan(2_000);
    expect(readdirSync(base).filter((f) => f.startsWith("dead.lock"))).toEqual([]);
  });

  it("gives up after its timeout while a live process holds the lock, naming the file and the holder", async () => {
    const lock = join(base, "held.lock");
    writeFileSync(lock, lockText(process.ppid));
    const error = await rejection(withFileLock(lock, () => "ran", { timeoutMs: 50 }));
    expect(error).toBeInstanceOf(ConclaveError);
    expect(error.code).toBe("lock_timeout");
    expect(error.message).toBe(`waited 0 s for \`${lock}\`, which process ${process.ppid} holds. If no conclave process is running, delete the file and try again.`);
    expect(readFileSync(lock, "utf8")).toBe(lockText(process.ppid));
  });

  it("does not judge a pid from another pid namespace (a sandbox) by its pid", async () => {
    const lock = join(base, "sandboxed.lock");
    writeFileSync(lock, `${JSON.stringify({ pid: deadPid(), host: hostname(), token: "0123456789abcdef", pidns: "pid:[1]" })}\n`);
    expect((await rejection(withFileLock(lock, () => "ran", { timeoutMs: 50 }))).code).toBe("lock_timeout");
  });

  it("does not judge a pid from another host, and breaks that lock only once it is stale", async () => {
    const lock = join(base, "remote.lock");
    const remote = lockText(deadPid(), "build-server-7");
    writeFileSync(lock, remote);
    const error = await rejection(withFileLock(lock, () => "ran", { timeoutMs: 50 }));
    expect(error.message).toContain(`which process ${JSON.parse(remote).pid} on build-server-7 holds`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    expect(await withFileLock(lock, () => "ran")).toBe("ran");
  });

  it("takes over a lock that names no holder (an older version's) once it is stale", async () => {
    const lock = join(base, "stale.lock");
    writeFileSync(lock, "12345\n");
    expect((await rejection(withFileLock(lock, () => "ran", { timeoutMs: 50 }))).message).toContain("which another process holds");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    expect(await withFileLock(lock, () => JSON.parse(readFileSync(lock, "utf8")).pid)).toBe(process.pid);
    expect(readdirSync(base)).not.toContain("stale.lock");
  });

  it("stops waiting when its signal fires, with an error naming the file, the holder and the reason", async () => {
    const lock = join(base, "abort.lock");
    writeFileSync(lock, lockText(process.ppid));
    const controller = new AbortController();
    let ran = false;
    const waiting = rejection(withFileLock(lock, () => (ran = true), { timeoutMs: 60_000, signal: controller.signal }));
    const start = Date.now();
    controller.abort("interrupted");
    const error = await waiting;
    expect(Date.now() - start).toBeLessThan(1_000);
    expect(error.code).toBe("lock_aborted");
    expect(error.message).toBe(`stopped waiting for \`${lock}\`, which process ${process.ppid} holds (interrupted): nothing was done under the lock.`);
    expect(ran).toBe(false);
    expect(readFileSync(lock, "utf8")).toBe(lockText(process.ppid));
  });

  it("keeps waiting responsive to Ctrl+C in a real process", async () => {
    const lock = join(base, "ctrl-c.lock");
    writeFileSync(lock, lockText(process.pid));
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, lock], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const waiting = new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => ((stdout += chunk.toString()), stdout.includes("waiting") && resolve())));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    // The child's timer fired while it waited; Ctrl+C must now end the wait at once, not after the 60 s timeout.
    await waiting;
    const start = Date.now();
    child.kill("SIGINT");
    const code = await exited;
    clearTimeout(killer);
    expect(Date.now() - start).toBeLessThan(2_000);
    expect(code, stderr).toBe(4);
    expect(stdout).toBe(`waiting\nstopped waiting for \`${lock}\`, which process ${process.pid} holds (interrupted): nothing was done under the lock.\n`);
  }, 25_000);

  it("keeps its lock while `fn` runs longer than staleMs: the holder refreshes it", async () => {
    const lock = join(base, "long.lock");
    const order: string[] = [];
    const first = withFileLock(lock, async () => {
      order.push("first in");
      await delay(1_500);
      order.push("first out");
    }, { staleMs: 600 });
    await delay(50);
    const second = withFileLock(lock, () => order.push("second in"), { staleMs: 600 });
    await Promise.all([first, second]);
    expect(order).toEqual(["first in", "first out", "second in"]);
  });

  it("releases the lock when the function throws", async () => {
    const lock = join(base, "throws.lock");
    await expect(withFileLock(lock, () => { throw new Error("boom"); })).rejects.toThrow("boom");
    expect(readdirSync(base)).not.toContain("throws.lock");
  });
});
