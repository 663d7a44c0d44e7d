import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { takeResumeLock } from "../../framework/runs/take-resume-lock.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "conclave-resume-lock-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// A pid that was a process of this host and is gone now.
const gonePid = spawnSync(process.execPath, ["-e", ""]).pid!;
const holder = (pid: number, token: string) => `${JSON.stringify({ pid, host: hostname(), token })}\n`;

describe("takeResumeLock()", () => {
  it("takes over a lock whose holder is gone, and its release removes only its own lock", async () => {
    const dir = tempDir();
    const path = join(dir, "resume.lock");
    writeFileSync(path, holder(gonePid, "dead"));
    const release = await takeResumeLock(dir, "r1");
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    // Broken meanwhile and taken by another: the release leaves that one alone.
    writeFileSync(path, holder(process.ppid, "other"));
    release();
    expect(readFileSync(path, "utf8")).toBe(holder(process.ppid, "other"));
  });

  it("leaves a dead holder's lock alone while another resume is breaking it, so two never both take it over", async () => {
    const dir = tempDir();
    const path = join(dir, "resume.lock");
    const stale = holder(gonePid, "dead");
    writeFileSync(path, stale);
    // Another resume (a live process: this test's parent) is between its check of the stale lock and its removal.
    writeFileSync(`${path}.break`, holder(process.ppid, "breaker"));
    await expect(takeResumeLock(dir, "r1")).rejects.toThrow(`run r1: \`${path}\` keeps being taken by other resumes: wait for them, then try again.`);
    expect(readFileSync(path, "utf8")).toBe(stale);
    expect(readFileSync(`${path}.break`, "utf8")).toBe(holder(process.ppid, "breaker"));
  });

  it("clears a guard left by a breaker that died, then takes the lock over", async () => {
    const dir = tempDir();
    const path = join(dir, "resume.lock");
    writeFileSync(path, holder(gonePid, "dead"));
    writeFileSync(`${path}.break`, holder(gonePid, "dead breaker"));
    const release = await takeResumeLock(dir, "r1");
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid });
    expect(existsSync(`${path}.break`)).toBe(false);
    release();
    expect(existsSync(path)).toBe(false);
  });

  it("refuses while a live process holds it, naming that process", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "resume.lock"), holder(process.ppid, "live"));
    await expect(takeResumeLock(dir, "r1")).rejects.toThrow(`run r1 is being resumed by pid ${process.ppid} on ${hostname()}`);
  });
});
