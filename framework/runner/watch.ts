import { dirname, resolve } from "node:path";
import { watch as chokidar } from "chokidar";

export interface FileWatcher {
  /** Resolves once the watcher is listening. */
  ready: Promise<void>;
  /** Reads the file list again (filepaths.json may list new files); pending changes are kept. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Calls `onChange` once per burst of changes to the files `files()` names, after `debounceMs`
 * of quiet. Watches the files' directories rather than the files, so an editor's save by
 * write-to-temp-and-rename is one change of the file, and a file created later is seen too.
 *
 * @example
 * const watcher = watchFiles(() => ["projects/demo/CONTEXT.md"], (changed) => rerun(changed));
 * await watcher.ready;
 */
export function watchFiles(files: () => string[], onChange: (changed: string[]) => void, options: { debounceMs?: number } = {}): FileWatcher {
  const debounceMs = options.debounceMs ?? 300;
  let wanted = new Set(files().map((f) => resolve(f)));
  const dirsOf = (set: Set<string>) => [...new Set([...set].map((f) => dirname(f)))];
  let dirs = dirsOf(wanted);
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
    async refresh() {
      wanted = new Set(files().map((f) => resolve(f)));
      const next = dirsOf(wanted);
      const added = next.filter((d) => !dirs.includes(d));
      dirs = next;
      if (added.length) watcher.add(added);
    },
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
