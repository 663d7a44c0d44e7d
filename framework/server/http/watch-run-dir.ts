import { watch, type FSWatcher } from "node:fs";

/** How often a watched run directory is looked at anyway, in case a change notification is missed (network file systems, editors' renames). */
export const POLL_MS = 500;

interface Watched {
  watcher: FSWatcher | undefined;
  timer: NodeJS.Timeout;
  listeners: Set<() => void>;
}

const watched = new Map<string, Watched>();

/**
 * Calls `listener` when something in run directory `dir` changes (events.jsonl appended,
 * status.json or result.json replaced) and every 500 ms anyway (a bounded poll, for changes
 * fs.watch misses). Every listener on one directory shares one fs.watch and one timer, so a
 * hundred streams of a run cost one watcher. Returns a function that stops listening.
 *
 * @example
 * const stop = watchRunDir(runDir, () => void drain());
 */
export function watchRunDir(dir: string, listener: () => void): () => void {
  let entry = watched.get(dir);
  if (!entry) {
    const listeners = new Set<() => void>();
    const notify = () => {
      for (const l of listeners) l();
    };
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dir, { persistent: false }, notify);
      // A directory removed while watched: the poll goes on, and readers find it gone.
      watcher.on("error", () => {
        watcher?.close();
        if (entry) entry.watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
    const timer = setInterval(notify, POLL_MS);
    timer.unref();
    entry = { watcher, timer, listeners };
    watched.set(dir, entry);
  }
  const current = entry;
  current.listeners.add(listener);
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size > 0 || watched.get(dir) !== current) return;
    watched.delete(dir);
    current.watcher?.close();
    clearInterval(current.timer);
  };
}

/** How many run directories are watched now (for tests: every stream that ends lets go of its watch). */
export function watchedRunDirCount(): number {
  return watched.size;
}
