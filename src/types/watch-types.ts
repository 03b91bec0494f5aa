import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * How long a change must be followed by quiet before a run starts: one save is one to three
 * events within a few milliseconds (write in place, or a temporary file renamed over the old one);
 * a longer wait would be paid on every save (scripts/bench/types-watch.ts: target < 300 ms).
 */
const DEBOUNCE_MS = 50;

export interface WatchOptions {
  /**
   * Directories (watched recursively) and files whose changes trigger a run; asked again after
   * each run, so a changed pgtyped srcDir is followed.
   */
  paths: () => string[];
  /** Changed files to ignore (rb's own outputs). */
  ignore: (file: string) => boolean;
  /** One regeneration; its errors are the caller's to report. */
  run: () => Promise<void>;
  debounceMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `run` once, then again after each change below `paths` (debounced; a change during a run
 * queues exactly one more run). Resolves when `signal` aborts.
 */
export async function watchAndRun(options: WatchOptions): Promise<void> {
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const trigger = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await options.run();
        reconcile();
      } while (again);
    } finally {
      running = false;
    }
  };
  const watchers = new Map<string, FSWatcher>();
  /** Watches what `paths` names now (and exists), and stops watching what it no longer names. */
  const reconcile = () => {
    const wanted = new Set(options.paths().filter((target) => existsSync(target)));
    for (const [target, watcher] of watchers) {
      if (wanted.has(target)) continue;
      watcher.close();
      watchers.delete(target);
    }
    for (const target of wanted) {
      if (watchers.has(target)) continue;
      watchers.set(target, watch(target, { recursive: true }, (_event, name) => {
        const file = name ? path.join(target, name.toString()) : target;
        if (options.ignore(file)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void trigger(), options.debounceMs ?? DEBOUNCE_MS);
      }));
    }
  };
  await trigger();
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) return resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  for (const watcher of watchers.values()) watcher.close();
}
