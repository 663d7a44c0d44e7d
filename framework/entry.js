// What `import ... from "conclave"` loads (package.json exports "." "default"): the public API of
// framework/index.ts, from dist/ while it is fresh, else from the TypeScript source, decided by the same
// check as bin/conclave.js (use-dist.js), so a workflow gets the very modules the `conclave` command runs.
// Plain JavaScript: under plain node no TypeScript loader is there to load it. Types come from index.ts
// (exports "." "types"); test/use-dist.test.ts checks these names are index.ts's.
import { distProblem, useDist } from "./use-dist.js";

const api = useDist() ? await import("../dist/index.js") : await importSource();

export const {
  workflow,
  z,
  run,
  resumeRun,
  PLAN_SCHEMA,
  VERDICT_SCHEMA,
  createRunNotes,
  openSession,
  LAUNCH_RUN_SCHEMA,
  openProject,
  initProject,
  analyzeRun,
  analyzeProject,
  NotARunError,
  loadConfig,
  parseConfig,
  validateConfig,
  SimulatedClock,
  systemClock,
  ConclaveError,
  ConfigError,
  ModelApiError,
  RateLimitError,
  RunTimeoutError,
  WorkspaceEscapeError,
  EXIT,
  exitCodeFor,
} = api;

// The source needs a TypeScript loader (tsx); without one, say what to do instead of Node's unknown-extension error.
async function importSource() {
  try {
    return await import("./index.ts");
  } catch (error) {
    if (error?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    const root = new URL("..", import.meta.url).pathname;
    throw new Error(
      `conclave: cannot load the package: its build (dist/) is not usable (${distProblem(root)}) and this process has no TypeScript loader for the source. ` +
        `Run \`npm run build\` in ${root}, or start the program with tsx (\`npx tsx <program>\` or \`node --import tsx <program>\`).`,
      { cause: error },
    );
  }
}
