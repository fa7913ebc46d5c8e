/**
 * Where the gateway's objects come from: manifest files (watched with chokidar), or any other
 * source with the same shape, e.g. the cluster in Kubernetes mode (src/kubernetes).
 */
import type { PipelineResult } from '../src/pipeline.js';
import { createLoadCache } from '../src/load/cache.js';
import type { LoadResult } from '../src/load/load.js';
import type { ObjectStatus } from '../src/resolve/types.js';
import { watchManifests, type ChangeHandler, type ManifestWatcher } from './watch.js';

export interface ObjectSource {
  /** For logs: the paths, or the cluster. */
  readonly description: string;
  /**
   * Whether one invalid object rejects the whole snapshot (files: the last good table keeps
   * serving until the manifests are fixed) or is left out with its diagnostics (the cluster,
   * whose API server already admitted every object).
   */
  readonly rejectInvalid: boolean;
  /**
   * The objects now. `tentative`: a load during a burst of changes, to be checked with
   * `changed` once it is over; it may throw where a load after it would not (files: one read
   * half written with a broken document, which is not parsed as a whole).
   */
  load(options?: { tentative?: boolean }): Promise<LoadResult>;
  /** Statuses the resolver keeps condition transition times from; absent: the previous snapshot's. */
  previousStatuses?(): ReadonlyMap<string, ObjectStatus>;
  /**
   * Whether the objects now differ from what the last `load` gave (files: one added, gone or
   * rewritten). With it, a change can be loaded before its quiet period is over and kept when
   * this says no once it is.
   */
  changed?(): Promise<boolean>;
  /**
   * Calls `onChange` (coalesced) whenever the objects may have changed, with a promise that
   * settles once they have been quiet for a while (see host-node/watch.ts); `ready` settles
   * once changes are seen.
   */
  watch(onChange: ChangeHandler): ManifestWatcher;
  /** Told every pipeline result the gateway accepted (e.g. to write status back). */
  resolved?(result: PipelineResult): Promise<void>;
  /** Stops whatever the source runs. */
  close?(): Promise<void>;
}

/** Manifest files and directories; `-` is stdin, read once and never watched. */
export function fileSource(paths: readonly string[]): ObjectSource {
  // Reloads parse only the files whose content changed.
  const cache = createLoadCache();
  return {
    description: paths.join(', '),
    rejectInvalid: true,
    load: (options) => cache.load(paths, undefined, options),
    changed: () => cache.changed(paths),
    watch: (onChange) => (paths.includes('-') ? { ready: Promise.resolve(), close: async () => {} } : watchManifests(paths, onChange, { changed: () => cache.changed(paths) })),
  };
}
