// Whether this process runs Conclave from dist/ (the bundle `npm run build` writes) or from the TypeScript
// source under tsx. dist/ is used only while it is fresh: its manifest lists exactly the files under framework/
// and none of them changed since the build started. A stat of each file answers that in a checkout; a file
// written after the build started (in an installed package every file is: npm extracts it then) is compared
// with the manifest by its content's hash. Decided once per process, by whichever entry asks first
// (bin/conclave.js, framework/entry.js), so one process never mixes dist and source modules.
// Plain JavaScript: it runs before any TypeScript loader is registered.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DECISION = Symbol.for("conclave.useDist");

/**
 * True when this process loads Conclave from dist/, false when from framework/'s TypeScript through tsx.
 * CONCLAVE_FROM_SOURCE=1 starts from the source whatever dist/ holds; CONCLAVE_DEBUG_START=1 prints on stderr
 * why a start is from the source.
 *
 * @example
 * const { cli } = useDist() ? await import("../dist/cli.js") : await import("../framework/runner/cli.ts");
 */
export function useDist() {
  globalThis[DECISION] ??= process.env.CONCLAVE_FROM_SOURCE ? "CONCLAVE_FROM_SOURCE is set" : distProblem(ROOT);
  const problem = globalThis[DECISION];
  if (problem && process.env.CONCLAVE_DEBUG_START && !globalThis[Symbol.for("conclave.useDist.said")]) {
    globalThis[Symbol.for("conclave.useDist.said")] = true;
    process.stderr.write(`conclave: starting from the TypeScript source: ${problem}\n`);
  }
  return problem === "";
}

/**
 * Why dist/ under `root` cannot be used ("" when it can): no manifest, or a framework file added, removed or
 * changed since the build started.
 *
 * @example
 * distProblem("/home/me/conclave") // "framework/errors.ts changed after the build (run `npm run build`)"
 */
export function distProblem(root) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, "dist", "manifest.json"), "utf8"));
  } catch {
    return "dist/manifest.json is missing (run `npm run build`)";
  }
  const files = frameworkFiles(root);
  const built = manifest.files ?? {};
  const added = files.find((f) => !Object.hasOwn(built, f.path));
  if (added) return `framework/${added.path} was added after the build (run \`npm run build\`)`;
  if (files.length !== Object.keys(built).length) return "a framework file was removed after the build (run `npm run build`)";
  const base = join(root, "framework");
  const changed = files.find((f) => f.mtimeMs >= manifest.builtAtMs && fileHash(join(base, f.path)) !== built[f.path]);
  if (changed) return `framework/${changed.path} changed after the build (run \`npm run build\`)`;
  return "";
}

/**
 * The hash dist/manifest.json records of a file's content.
 *
 * @example
 * fileHash("/home/me/conclave/framework/errors.ts") // "3f786850e387550fdab836ed7e6dc881de23001b"
 */
export function fileHash(path) {
  return createHash("sha1").update(readFileSync(path)).digest("hex");
}

/**
 * Every file under `root`/framework, as a path relative to framework/ with `/` separators, and its mtime.
 *
 * @example
 * frameworkFiles("/home/me/conclave")[0] // { path: "analysis/analysis-input.ts", mtimeMs: 1767225600000 }
 */
export function frameworkFiles(root) {
  const files = [];
  // Paths made by concatenation, not path.join()/relative(): in a fresh process (every start asks) that halves the walk.
  const walk = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}${sep}${entry.name}`;
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else files.push({ path: `${prefix}${entry.name}`, mtimeMs: statSync(path).mtimeMs });
    }
  };
  walk(join(root, "framework"), "");
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
