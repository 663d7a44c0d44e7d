// A child process for run-index.test.ts: says "ready", waits for the go file, then records `count` runs.
import { existsSync } from "node:fs";
import { openProject } from "../../framework/project/open-project.ts";

const [dir, id, count, goFile] = process.argv.slice(2) as [string, string, string, string];
const project = openProject(dir);
process.stdout.write("ready\n");
const sleeper = new Int32Array(new SharedArrayBuffer(4));
for (let waited = 0; !existsSync(goFile); waited += 2) {
  if (waited > 20_000) throw new Error("no go file after 20 s");
  Atomics.wait(sleeper, 0, 0, 2);
}
for (let k = 0; k < Number(count); k++) {
  await project.recordRun({
    run_id: `run-${id}-${k}`,
    workflow: "concurrency",
    status: "completed",
    winner: null,
    cost_usd: null,
    started_at: new Date().toISOString(),
    elapsed_seconds: 0,
    log_dir: `${dir}/runs/run-${id}-${k}`,
    task: `child ${id}, call ${k}`,
  });
}
