// Module hooks that load a `.ts` or `.tsx` file outside node_modules as an ES module, even in a package whose
// `type` is commonjs (what `npm init -y` makes), so a workflow with `import` and top-level await runs in any
// package. `.cts` files stay CommonJS. Importing this file on the main thread registers it (after tsx, so it
// sees tsx's answer): `conclave run` imports it, and `node --import tsx --import <this file>` works too.
// Plain JavaScript: it runs in Node's hooks thread, where no TypeScript loader applies to it.
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

const TYPESCRIPT = /\.tsx?$/;

if (isMainThread) register(import.meta.url);

/**
 * Node's resolve hook: the loaders registered before it resolve; a TypeScript file they would load as
 * CommonJS is loaded as a module instead.
 *
 * @example
 * await import("./typescript-as-esm.js"); // then: await import("/home/me/app/pe.ts")
 */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  // tsx marks a CommonJS file imported from a module with queries (…/x.ts%3Ftsx-commonjs-export-preparse=1?…):
  // loaded as a module, it is the plain file.
  const url = resolved.url.replace(/(%3F|\?)tsx-commonjs-.*$/, "");
  const path = url.split("?")[0];
  if (resolved.format === "commonjs" && path.startsWith("file:") && TYPESCRIPT.test(path) && !path.includes("/node_modules/")) {
    return { ...resolved, url, format: "module" };
  }
  return resolved;
}
