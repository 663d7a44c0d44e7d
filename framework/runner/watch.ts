import { dirname, resolve } from "node:path";
import { watch as chokidar } from "chokidar";

export interface FileWatcher {
  /** Resolves once the watcher is listening. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Calls `onChange` once per burst of changes to `files`, after `debounceMs` of quiet. Watches
 * the files' directories rather than the files, so an editor's save by write-to-temp-and-rename
 * is seen as one change of the file, and a file created later is seen too.
 *
 * @example
 * const watcher = watchFiles(["projects/demo/CONTEXT.md"], (changed) => rerun(changed));
 * await watcher.ready;
 */
export function watchFiles(files: string[], onChange: (changed: string[]) => void, options: { debounceMs?: number } = {}): FileWatcher {
  const wanted = new Set(files.map((f) => resolve(f)));
  const dirs = [...new Set([...wanted].map((f) => dirname(f)))];
  const debounceMs = options.debounceMs ?? 300;
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watcher = chokidar(dirs, { ignoreInitial: true, depth: 0, atomic: true });
  watcher.on("all", (_event, path) => {
    const file = resolve(path);
    if (!wanted.has(file)) return;
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const paths = [...changed];
      changed.clear();
      onChange(paths);
    }, debounceMs);
  });
  return {
    ready: new Promise((ready) => watcher.once("ready", () => ready())),
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
