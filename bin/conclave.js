#!/usr/bin/env node
// The `conclave` command: loads the TypeScript CLI through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
const { cli } = await import("../framework/runner/cli.ts");
process.exitCode = await cli(process.argv.slice(2));
