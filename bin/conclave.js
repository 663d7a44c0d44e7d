#!/usr/bin/env node
// The `conclave` command. While dist/ is fresh (framework/use-dist.js) it runs the built JavaScript on plain node;
// tsx is registered later, only for a .ts workflow (runner/run-script.ts). Otherwise it loads the TypeScript CLI
// through tsx, as without a build.
import { useDist } from "../framework/use-dist.js";

const { cli } = useDist() ? await import("../dist/cli.js") : await importSource();
process.exitCode = await cli(process.argv.slice(2));

async function importSource() {
  const { register } = await import("tsx/esm/api");
  register();
  return import("../framework/runner/cli.ts");
}
