import { existsSync } from "node:fs";
import { register } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../errors.ts";
import { packagePath, RUNS_FROM_DIST } from "../package-root.ts";
import { EXIT } from "./exit-codes.ts";

// Set on globalThis (so any copy of the package sees it) once `conclave run` has started a workflow script: workflow.ts reads it.
const STARTED_BY_RUN = Symbol.for("conclave.startedByRun");

/**
 * `conclave run <script> [flags]`: the script runs in this process, seeing exactly the flags after it,
 * as an ES module in any package (see typescript-as-esm.js). Returns the exit code the script set; a script
 * that cannot load throws a ConfigError (exit 1), one that throws outside workflow() a ScriptError (exit 2).
 *
 * @example
 * process.exitCode = await runScript(["workflows/risks.ts", "--dry-run"]);
 */
export async function runScript(args: string[]): Promise<number> {
  const [script, ...flags] = args;
  if (!script) throw new ConfigError("no workflow script given. Usage: conclave run <workflow.ts> [options]; `conclave run --help` lists the options.");
  const path = resolve(script);
  if (!existsSync(path)) throw new ConfigError(`workflow script \`${script}\` does not exist. Give the path of a .ts file that calls workflow().`);
  process.argv = [process.argv[0]!, path, ...flags];
  // The script's own --help then names this launcher (`npx tsx` fails on top-level await in a CommonJS package).
  (globalThis as Record<symbol, unknown>)[STARTED_BY_RUN] = true;
  process.exitCode = undefined;
  // A .ts workflow is an ES module in any package, also one whose package.json says "type": "commonjs".
  await loadTypeScriptAsModules();
  try {
    await import(pathToFileURL(path).href);
  } catch (error) {
    throw scriptLoadError(script, error);
  }
  return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
}

let typescriptAsModules = false;
// Started from dist/, the process has no TypeScript loader yet (unless node was started with one): tsx first, then
// the hook that loads .ts as a module (it must see tsx's answer). Both from their own paths, not from dist/.
async function loadTypeScriptAsModules(): Promise<void> {
  if (typescriptAsModules) return;
  typescriptAsModules = true;
  if (RUNS_FROM_DIST && ![...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => a.includes("tsx"))) (await import("tsx/esm/api")).register();
  register(pathToFileURL(packagePath("framework/runner/typescript-as-esm.js")));
}

// A script that cannot be loaded (a package it imports is not installed, a syntax error): one line that says what to do.
function scriptLoadError(script: string, error: unknown): Error {
  const e = error as NodeJS.ErrnoException;
  const message = e instanceof Error ? e.message : String(error);
  const shown = (path: string) => path.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "");
  if (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") {
    const name = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
    const from = /imported from (\S+)/.exec(message)?.[1];
    const where = from && resolve(shown(from)) !== resolve(script) ? ` (imported from ${shown(from)})` : "";
    if (name && !name.startsWith(".") && !name.startsWith("/")) {
      const pkg = name.startsWith("@") ? name.split("/").slice(0, 2).join("/") : name.split("/")[0]!;
      const zod = pkg === "zod" ? ', or import { z } from "conclave"' : "";
      return new ConfigError(`workflow script \`${script}\` imports "${name}", which is not installed${where}. Install it in your project: npm install ${pkg}${zod}.`);
    }
    return new ConfigError(`workflow script \`${script}\` imports a file that does not exist: ${shown(name ?? message.split("\n")[0]!)}${where}.`);
  }
  // esbuild's error, passed on by tsx: "Transform failed with 1 error:\n/abs/pe.ts:2:40: ERROR: Expected identifier …"
  const compile = e?.name === "TransformError" ? /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message) : null;
  if (compile) return new ConfigError(`${shown(compile[1]!)}:${compile[2]}:${compile[3]}: ${compile[4]} (the workflow script does not compile; fix it and run again).`);
  if (e instanceof SyntaxError) return new ConfigError(`workflow script \`${script}\` does not load: ${message}.`);
  return new ScriptError(script, error);
}

/**
 * A workflow script threw before or outside workflow(): its message is one line, the thrown message and the
 * script's own line, never a stack.
 *
 * @example
 * new ScriptError("pe.ts", new TypeError("no plan")).message // "workflow script `pe.ts` failed: TypeError: no plan"
 */
export class ScriptError extends Error {
  constructor(readonly script: string, readonly thrown: unknown) {
    const at = scriptLine(script, thrown);
    super(`workflow script \`${script}\` failed: ${thrown instanceof Error ? `${thrown.name === "Error" ? "" : `${thrown.name}: `}${thrown.message}` : String(thrown)}${at ? ` (${at})` : ""}`);
  }
}

function scriptLine(script: string, thrown: unknown): string | undefined {
  if (!(thrown instanceof Error) || !thrown.stack) return undefined;
  const path = resolve(script);
  const frame = thrown.stack.split("\n").find((line) => line.includes(path));
  const match = frame && /(\d+):(\d+)\)?$/.exec(frame);
  return match ? `${script}:${match[1]}` : undefined;
}
