/**
 * Watching the manifest paths: any change (add, change, unlink, in directories too) triggers
 * one reload after a short quiet period; changes during a reload trigger one more afterwards.
 */
import { watch, type FSWatcher } from 'chokidar';

export interface ManifestWatcher {
  /** Settles once the initial scan is done: changes made before it may go unnoticed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The quiet period. Editors and tools save in bursts (write a temporary file, rename it over
 * the original, touch a backup, or truncate then write), whose events arrive within a few
 * milliseconds of each other; 25 ms coalesces such a burst into one reload while adding
 * little to the time from a save to serving. A burst spread wider still ends well: a reload
 * that read half-written text is followed by another one once the writes stop (a change
 * during a reload triggers one more), and a rejected snapshot keeps the last good table.
 */
export const QUIET_MS = 25;

export function watchManifests(paths: readonly string[], onChange: () => Promise<void>, quietMs = QUIET_MS): ManifestWatcher {
  const watcher: FSWatcher = watch([...paths], { ignoreInitial: true, awaitWriteFinish: false });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = onChange().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        run();
      }
    });
  };
  watcher.on('all', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, quietMs);
  });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close() {
      if (timer) clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
