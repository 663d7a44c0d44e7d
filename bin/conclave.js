#!/usr/bin/env node
// The `conclave` command: loads the TypeScript CLI through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../framework/runner/cli.ts");
process.exitCode = await main(process.argv.slice(2));
