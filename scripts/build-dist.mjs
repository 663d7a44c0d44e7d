// `npm run build` (and `npm ci` / `npm install` / `npm pack`, through "prepare"): bundles framework/index.ts (the
// package's "conclave") and framework/runner/cli.ts (the `conclave` command) with esbuild into dist/, so a start
// loads a few JavaScript chunks instead of transpiling the framework. Plain JavaScript: it needs no tsx.
// The build is written into a temporary directory and renamed into place, so a concurrent start sees the old
// dist/, no dist/ (and falls back to the source), or the new one, never half of one. dist/manifest.json records
// the framework's files with their contents' hashes and when the build started: framework/use-dist.js compares
// them at every start.
// A build that would change nothing is skipped (npx, linking this package to run its bin, runs "prepare" in
// every process): dist/ is fresh and was built from the same package.json, package-lock.json and this script.
// `npm run build -- --force` builds anyway.
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { distProblem, fileHash, frameworkFiles } from "../framework/use-dist.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const temp = join(root, `dist-${process.pid}-${Date.now()}.tmp`);
const inputs = buildInputs();
if (!process.argv.includes("--force") && distProblem(root) === "" && readManifest()?.inputs === inputs) process.exit(0);
// esbuild is a devDependency: an install without them (npm ci --omit=dev) has no build, and Conclave starts from the source.
const esbuild = await import("esbuild").catch((error) => {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  process.stderr.write("conclave: esbuild is not installed (an install without devDependencies): no dist/ build; Conclave starts from the TypeScript source through tsx.\n");
  process.exit(0);
});

// Bundled code that calls require() (CommonJS dependencies) gets one, made for its chunk.
const REQUIRE_BANNER = "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);";

mkdirSync(temp);
try {
  // The build's start on the file system's own clock: a framework file written from now on is newer.
  writeFileSync(join(temp, ".started"), "");
  const builtAtMs = statSync(join(temp, ".started")).mtimeMs;
  rmSync(join(temp, ".started"));
  const files = Object.fromEntries(frameworkFiles(root).map((f) => [f.path, fileHash(join(root, "framework", f.path))]));
  await esbuild.build({
    entryPoints: { index: join(root, "framework/index.ts"), cli: join(root, "framework/runner/cli.ts") },
    outdir: temp,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // tsx stays a package of its own: the runner resolves tsx/esm and registers it before a .ts workflow loads.
    external: ["tsx", "tsx/*"],
    banner: { js: REQUIRE_BANNER },
    plugins: [zodEnglishOnly(), yamlAsEsm()],
    logLevel: "warning",
  });
  routeChunkImports(temp);
  // The build's own files (the chunks kept from earlier builds are not).
  const output = readdirSync(temp).sort();
  writeFileSync(join(temp, "manifest.json"), `${JSON.stringify({ builtAtMs, inputs, files, output }, null, 1)}\n`);
  keepEarlierChunks(dist, temp);
  swapIntoPlace(temp, dist);
} finally {
  rmSync(temp, { recursive: true, force: true });
}

// zod's `z.locales` (and zod/v4/core's) holds only `en`, the locale zod configures itself with: the other 60-odd
// locales were half of the zod chunk (370 KB) that every start parses, and nothing in Conclave uses them.
function zodEnglishOnly() {
  return {
    name: "zod-english-only",
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        /[\\/]node_modules[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: join(args.resolveDir, "../locales/en.js"), namespace: "zod-locales" } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(args.path)};\n`,
        resolveDir: root,
        loader: "js",
      }));
    },
  };
}

// yaml's own ES module build (the one its package.json gives outside node) instead of its CommonJS one: esbuild can
// leave out what Conclave does not use of an ES module (stringify, most of the Document API), 264 → 198 KB, and every
// start ran the 72 CommonJS wrappers at load. The same code; its one difference, a warning yaml prints (a YAML key that
// is a collection) goes to stderr by console.warn instead of process.emitWarning.
function yamlAsEsm() {
  return {
    name: "yaml-as-esm",
    setup(build) {
      // Found where node finds yaml (its package.json is exported), wherever the install put it.
      const yaml = dirname(createRequire(join(root, "package.json")).resolve("yaml/package.json"));
      build.onResolve({ filter: /^yaml$/ }, () => ({ path: join(yaml, "browser/index.js") }));
    },
  };
}

// A chunk loads another lazily through one tiny module (dist/load-chunk.js) instead of an `import("./chunk.js")` of its
// own. Under tsx (a workflow's process) every ES module whose text holds `import(` is parsed again, rewritten and given
// an inline source map by tsx's loader thread before Node compiles it; routed through load-chunk.js, the large chunks
// (the engine, the project code) skip that, which took about a fifth of `import "conclave"` under tsx. Same modules,
// same order, same URL resolution: every chunk sits in dist/ beside load-chunk.js.
function routeChunkImports(dir) {
  const LOADER = "load-chunk.js";
  writeFileSync(join(dir, LOADER), loadChunkModule());
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".js") || name === LOADER) continue;
    const path = join(dir, name);
    const text = readFileSync(path, "utf8");
    const routed = text.replace(/\bimport\("(\.\/[\w-]+\.js)"\)/g, '__loadChunk("$1")');
    if (routed === text) continue;
    // After the banner's line, so `require` stays its first statement.
    const at = text.startsWith(REQUIRE_BANNER) ? REQUIRE_BANNER.length : 0;
    writeFileSync(path, `${routed.slice(0, at)}import{__loadChunk}from"./${LOADER}";${routed.slice(at)}`);
  }
}

// dist/load-chunk.js. A chunk missing from dist/ (rebuilt twice since the process started, and the earlier build's
// chunks gone) is an error that says to restart, not Node's bare ERR_MODULE_NOT_FOUND.
function loadChunkModule() {
  return `// Written by scripts/build-dist.mjs: the one place the chunks' lazy imports happen.
export const __loadChunk = (path) =>
  import(path).catch((error) => {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes(path.slice(2))) throw error;
    throw new Error(\`conclave: \${path.slice(2)} is no longer in dist/: it was built again since this process started. Restart the process.\`, { cause: error });
  });
`;
}

// A process started on the dist/ being replaced (a `conclave serve`, a watch) loads some of its chunks only when first
// used (a provider's SDK, the analysis): that build's own chunks the new one lacks are kept beside it, hard linked, so
// such an import still finds the very code the process started with. Names are content hashes, so a name in both builds
// is the same file. One build back only (dist/ stays under twice its size): a process that lives through two rebuilds
// is told to restart (load-chunk.js). dist/.npmignore names the kept chunks, so a package holds only its own build.
function keepEarlierChunks(from, to) {
  const earlier = readManifest(from)?.output;
  const fresh = new Set(readdirSync(to));
  const kept = [];
  for (const name of Array.isArray(earlier) ? earlier : []) {
    if (fresh.has(name) || !name.endsWith(".js")) continue;
    try {
      linkSync(join(from, name), join(to, name));
      kept.push(name);
    } catch (error) {
      // Gone meanwhile (another build), or a file system without hard links: the process that needs it is told to restart.
      if (!["ENOENT", "EPERM", "ENOTSUP", "EXDEV"].includes(error.code)) throw error;
    }
  }
  writeFileSync(join(to, ".npmignore"), `# Written by scripts/build-dist.mjs: chunks of the earlier build, kept for processes started on it.\n${kept.map((n) => `/${n}\n`).join("")}`);
}

// Moves the finished build to dist/: the old one aside first (a directory cannot be renamed over another). A
// build finishing at the same moment may put its own dist/ there in between: then try again, a bounded number of times.
function swapIntoPlace(from, to) {
  for (let attempt = 1; ; attempt++) {
    const old = `${from}.old${attempt}`;
    try {
      renameSync(to, old);
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
    }
    try {
      renameSync(from, to);
      return;
    } catch (error) {
      if (!["ENOTEMPTY", "EEXIST"].includes(error.code) || attempt === 5) throw error;
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  }
}

// What else goes into a build besides framework/: the dependencies' versions and this script.
function buildInputs() {
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json", "scripts/build-dist.mjs"]) {
    const path = join(root, file);
    hash.update(`${file}\0${existsSync(path) ? readFileSync(path) : ""}\0`);
  }
  return hash.digest("hex");
}

function readManifest(dir = dist) {
  try {
    return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  } catch {
    return undefined;
  }
}
