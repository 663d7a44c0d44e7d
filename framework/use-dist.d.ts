// Types of use-dist.js (plain JavaScript, so it runs before any TypeScript loader).

/** True when this process loads Conclave from dist/, false when from framework/'s TypeScript through tsx. */
export function useDist(): boolean;
/** Why dist/ under `root` cannot be used, or "" when it can. */
export function distProblem(root: string): string;
/** The hash dist/manifest.json records of a file's content. */
export function fileHash(path: string): string;
/** Every file under `root`/framework, relative to framework/ with `/` separators, and its mtime, sorted by path. */
export function frameworkFiles(root: string): { path: string; mtimeMs: number }[];
