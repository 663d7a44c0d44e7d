import { join } from "node:path";
import { fileURLToPath } from "node:url";

// This file sits at the top of framework/, and every chunk of the build at the top of dist/ (flat): from either,
// the package's root is one directory up. Files beside the code (configs/, the viewer, the worker and loader
// hooks, package.json) are found from here, so they are found alike from the source and from dist/.

/**
 * The absolute path of the Conclave package's root directory (where its package.json is).
 *
 * @example
 * readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8");
 */
export const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The absolute path of a file in the package, given relative to its root.
 *
 * @example
 * packagePath("configs/default.yaml") // "/home/me/node_modules/conclave/configs/default.yaml"
 */
export const packagePath = (relative: string): string => join(PACKAGE_ROOT, relative);

/**
 * Whether this code runs from dist/ (the esbuild bundle), where no TypeScript loader was registered, rather than
 * from framework/'s TypeScript.
 *
 * @example
 * if (RUNS_FROM_DIST) (await import("tsx/esm/api")).register();
 */
export const RUNS_FROM_DIST = !/\.[cm]?tsx?$/.test(new URL(import.meta.url).pathname);
