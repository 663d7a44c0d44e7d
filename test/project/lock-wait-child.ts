// A child process for with-file-lock.test.ts: waits for a lock another process holds, and stops
// waiting on Ctrl+C (SIGINT), as a workflow does; prints the error and exits 4. It says "waiting"
// from a timer that fires during the wait, which only happens when the wait leaves the event loop free.
import { withFileLock } from "../../framework/project/with-file-lock.ts";

const [lockPath] = process.argv.slice(2) as [string];
const controller = new AbortController();
process.on("SIGINT", () => controller.abort("interrupted"));
setTimeout(() => process.stdout.write("waiting\n"), 100);
try {
  await withFileLock(lockPath, () => process.stdout.write("took the lock\n"), { timeoutMs: 60_000, signal: controller.signal });
} catch (error) {
  process.stdout.write(`${(error as Error).message}\n`);
  process.exitCode = 4;
}
