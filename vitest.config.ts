import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // In-process tests import framework/*.ts by path: "conclave" is the same source, never dist/ (framework/entry.js),
  // so one test process holds one copy of each module. Tests that start processes get what a user gets.
  resolve: { alias: [{ find: /^conclave$/, replacement: fileURLToPath(new URL("./framework/index.ts", import.meta.url)) }] },
  test: {
    include: ["test/**/*.test.ts"],
    // One aimock for the suite; tests read its URL with inject("aimockUrl").
    globalSetup: ["./test/support/aimock-setup.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Keep CONCLAVE_* and API keys of the developer's shell out of the tests.
    env: { NO_COLOR: "1" },
  },
});
