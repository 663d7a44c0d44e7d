import { defineConfig } from "vitest/config";

export default defineConfig({
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
