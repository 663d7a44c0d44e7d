import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(root, "node_modules/tsx/dist/cli.mjs");
const ZERO_LATENCY = "agents:\n  - { id: alpha, backend: { type: scripted, latency_ms: 0 } }\n  - { id: beta, backend: { type: scripted, latency_ms: 0 } }\n  - { id: gamma, backend: { type: scripted, latency_ms: 0 } }\n";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// A scratch copy of the demo project and a zero-latency scripted config.
function scratch(): { dir: string; project: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "conclave-bench-runner-"));
  const project = join(dir, "demo");
  cpSync(join(root, "projects/demo"), project, { recursive: true, filter: (src) => !src.includes("/runs") });
  const config = join(dir, "zero.yaml");
  writeFileSync(config, ZERO_LATENCY);
  return { dir, project, config };
}

/**
 * Wall time of `tsx workflows/feature.ts --dry-run` at zero latency (a fresh project each time), of `tsx` on an
 * empty script, and of `tsx` on a script that only imports "conclave" (what a workflow's import costs before its
 * first run: the difference between it and the empty script).
 */
export function coldStart(reps: number): { cold_start_ms: number; empty_tsx_ms: number; import_only_ms: number; ratio: number } {
  const { dir, project, config } = scratch();
  const empty = join(dir, "empty.ts");
  writeFileSync(empty, "export {};\n");
  // The package's own entry, by path: the scratch folder is outside the package, where "conclave" does not resolve.
  const importOnly = join(dir, "import-only.mts"); // .mts: an ES module, as a workflow in the package is
  writeFileSync(importOnly, `import ${JSON.stringify(pathToFileURL(join(root, "framework/entry.js")).href)};\n`);
  try {
    const time = (args: string[]) => {
      const start = performance.now();
      const r = spawnSync(process.execPath, [tsx, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
      return performance.now() - start;
    };
    time([empty]); // warm the file system cache
    // Interleaved, so that the three medians see the machine in the same state (its speed drifts from minute to minute).
    const cold: number[] = [];
    const bare: number[] = [];
    const imported: number[] = [];
    for (let i = 0; i < reps; i++) {
      cold.push(time(["workflows/feature.ts", "--dry-run", "--fresh", "--project", project, "--config", config]));
      bare.push(time([empty]));
      imported.push(time([importOnly]));
    }
    return { cold_start_ms: median(cold), empty_tsx_ms: median(bare), import_only_ms: median(imported), ratio: median(cold) / median(bare) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** From a save of CONTEXT.md to the new run's LOG_DIR line, in a workflow under --watch (median). */
export async function watchRerun(reps: number): Promise<number> {
  const { dir, project, config } = scratch();
  // node --import tsx, not the tsx CLI: the CLI starts a second process that a kill would leave running.
  const child = spawn(process.execPath, ["--import", "tsx", "workflows/research.ts", "--watch", "--automation", "--project", project, "--config", config], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const count = (text: string, needle: string) => text.split(needle).length - 1;
  try {
    const samples: number[] = [];
    for (let i = 0; i <= reps; i++) {
      await until(() => count(stderr, "Watching") > i, "the watcher");
      const logDirs = count(stdout, "LOG_DIR:");
      const start = performance.now();
      appendFileSync(join(project, "CONTEXT.md"), `\n- bench edit ${i}\n`);
      await until(() => count(stdout, "LOG_DIR:") > logDirs, "the new run");
      samples.push(performance.now() - start);
      await until(() => count(stdout, "WORKFLOW:") > i + 1, "the pass to finish");
    }
    return median(samples);
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}
