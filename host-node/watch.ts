/**
 * Watching the manifest paths: any change (add, change, unlink, in directories too) starts one
 * run of `onChange` at once, handed a promise that settles after a short quiet period; changes
 * during a run that has seen its quiet period settle trigger one more run afterwards.
 */
import { watch, type FSWatcher } from 'chokidar';

export interface ManifestWatcher {
  /** Settles once the initial scan is done: changes made before it may go unnoticed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Called on a change. `quiet` settles once the paths have seen no change for the quiet period:
 * what is read before it may be half written, so a run either reads after it or checks
 * afterwards that what it read is still what the files hold. Absent (sources other than
 * files): the change is complete.
 */
export type ChangeHandler = (quiet?: Promise<void>) => Promise<void>;

export interface WatchOptions {
  quietMs?: number;
  /**
   * Whether the paths now hold something else than the last run read. The file watcher
   * reports a file at most once per 50 ms and leaves out changes within 5 ms of the one it
   * reports, so a write that ends shortly after the first event may go unreported: this is
   * asked once after each run, past that window, and a yes starts another run.
   */
  changed?: () => Promise<boolean>;
}

/**
 * The quiet period. Editors and tools save in bursts (write a temporary file, rename it over
 * the original, touch a backup, or truncate then write), whose events arrive within a few
 * milliseconds of each other; 25 ms covers such a burst. A burst spread wider still ends well:
 * a run that used half-written text is followed by another one once the writes stop (a change
 * after the quiet period triggers one more), and a rejected snapshot keeps the last good table.
 */
export const QUIET_MS = 25;

/** Past the watcher's 50 ms per-file report window (see `WatchOptions.changed`). */
const RECHECK_MS = 60;

export function watchManifests(paths: readonly string[], onChange: ChangeHandler, options: WatchOptions = {}): ManifestWatcher {
  const quietMs = options.quietMs ?? QUIET_MS;
  const watcher: FSWatcher = watch([...paths], { ignoreInitial: true, awaitWriteFinish: false });
  /** Pending while the quiet period runs. */
  let timer: NodeJS.Timeout | undefined;
  /** Settles the running run's `quiet`, until it has settled. */
  let settle: (() => void) | undefined;
  let recheck: NodeJS.Timeout | undefined;
  let lastChange = 0;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const quietOver = () => {
    timer = undefined;
    settle?.();
    settle = undefined;
  };
  const run = () => {
    if (running) {
      // A run still waiting for its quiet period checks what it read once it is over.
      if (!settle) again = true;
      return;
    }
    const quiet = timer ? new Promise<void>((resolve) => (settle = resolve)) : Promise.resolve();
    running = onChange(quiet).finally(() => {
      running = undefined;
      if (closed) return;
      if (again) {
        again = false;
        run();
      } else if (options.changed) {
        recheck = setTimeout(checkAgain, Math.max(0, lastChange + RECHECK_MS - performance.now()));
      }
    });
  };
  const changed = () => {
    lastChange = performance.now();
    if (recheck) clearTimeout(recheck);
    recheck = undefined;
    if (timer) clearTimeout(timer);
    timer = setTimeout(quietOver, quietMs);
    run();
  };
  const checkAgain = async () => {
    recheck = undefined;
    if (running || closed) return;
    const differs = await options.changed!().catch(() => true);
    if (differs && !running && !closed) changed();
  };
  watcher.on('all', changed);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close() {
      closed = true;
      if (recheck) clearTimeout(recheck);
      if (timer) clearTimeout(timer);
      quietOver();
      await watcher.close();
      await running;
    },
  };
}
