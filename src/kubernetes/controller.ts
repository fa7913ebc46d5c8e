/**
 * Kubernetes mode: the gateway's objects come from the cluster instead of files.
 *
 * `KubernetesSource` lists and watches every kind the resolver reads (ClusterCache), tells the
 * gateway to run the pipeline again after changes (debounced, and periodically as a resync),
 * hands it the cluster's current statuses as the resolver's `previous`, and, in the replica
 * that holds the Lease, writes the resolved status back (StatusPublisher). Every replica
 * serves traffic; only the leader writes.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { LoadResult } from '../load/load.js';
import type { PipelineResult } from '../pipeline.js';
import type { ObjectStatus } from '../resolve/types.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { ClusterCache } from './cache.js';
import type { KubeClient } from './client.js';
import { LeaderElector, type LeaderElectionConfig } from './leader.js';
import { StatusPublisher, type PublishResult } from './status.js';

export interface KubernetesSourceOptions {
  client: KubeClient;
  controllerName: string;
  /** Watch namespaced kinds only in these namespaces; empty: all namespaces. */
  namespaces?: readonly string[];
  /** The Lease deciding which replica writes status; false: this process always writes. */
  leaderElection: LeaderElectionConfig | false;
  /** Quiet period after a change before the pipeline runs. Default 100 ms. */
  debounceMs?: number;
  /** Period of a full pass even without changes (status drift, missed writes). Default 10 min; 0 disables. */
  resyncMs?: number;
  backoff?: BackoffOptions;
  /** Server-side watch timeout (seconds). Default: random 5-10 min. */
  watchTimeoutSeconds?: number;
  /** How long a kind the cluster does not serve waits before it is looked for again. Default 60 s. */
  absentRetryMs?: number;
  log?: (line: string) => void;
}

/** An identity unique to this process: the pod name (host name) and a random suffix, as client-go suggests. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

interface Watching {
  ready: Promise<void>;
  close(): Promise<void>;
}

export class KubernetesSource {
  readonly description: string;
  /** The API server admitted every object: one this validator rejects is left out, the rest served. */
  readonly rejectInvalid = false;
  readonly cache: ClusterCache;
  readonly #options: KubernetesSourceOptions;
  readonly #log: (line: string) => void;
  readonly #publisher: StatusPublisher;
  readonly #elector: LeaderElector | undefined;
  readonly #retry: Backoff;
  #onChange: (() => Promise<void>) | undefined;
  #changedSinceLoad = false;
  #timer: NodeJS.Timeout | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #lastPublish: PublishResult | undefined;

  private constructor(options: KubernetesSourceOptions) {
    this.#options = options;
    this.#log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.#retry = new Backoff(options.backoff);
    this.description = `cluster ${options.client.server}${options.namespaces?.length ? ` (namespaces ${options.namespaces.join(', ')})` : ''}`;
    this.cache = new ClusterCache({
      client: options.client,
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      onChange: () => this.#changed(),
      log: this.#log,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
      ...(options.absentRetryMs !== undefined ? { absentRetryMs: options.absentRetryMs } : {}),
    });
    this.#publisher = new StatusPublisher(options.client, this.cache, options.controllerName, this.#log);
    this.#elector = options.leaderElection
      ? new LeaderElector({
          ...options.leaderElection,
          client: options.client,
          log: this.#log,
          // A new leader writes what the cluster needs now: one pass with fresh statuses.
          onStartedLeading: () => this.#schedule(0),
          onStoppedLeading: () => this.#log('switchyard: kubernetes: stopped leading; status is written by another replica'),
        })
      : undefined;
  }

  /** Lists every kind (waits for the first complete list of each) and starts the leader election. */
  static async start(options: KubernetesSourceOptions): Promise<KubernetesSource> {
    const source = new KubernetesSource(options);
    try {
      await source.cache.start();
    } catch (err) {
      await source.cache.stop();
      throw err;
    }
    source.#elector?.start();
    const resyncMs = options.resyncMs ?? 600_000;
    if (resyncMs > 0) {
      source.#resyncTimer = setInterval(() => source.#schedule(0), resyncMs);
      source.#resyncTimer.unref();
    }
    return source;
  }

  /** Whether this replica writes status (always, without leader election). */
  get isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader : true;
  }

  /** The outcome of the last status pass (tests, logs). */
  get lastPublish(): PublishResult | undefined {
    return this.#lastPublish;
  }

  async load(): Promise<LoadResult> {
    this.#changedSinceLoad = false;
    return { objects: this.cache.objects(), diagnostics: [] };
  }

  /** The statuses in the cluster now: the resolver keeps the transition times of unchanged conditions. */
  previousStatuses(): ReadonlyMap<string, ObjectStatus> {
    return this.cache.statuses();
  }

  /** Calls `onChange` after changes in the cluster (debounced; one more run when changes come during a run). */
  watch(onChange: () => Promise<void>): Watching {
    this.#onChange = onChange;
    if (this.#changedSinceLoad) this.#schedule(this.#options.debounceMs ?? 100);
    return { ready: Promise.resolve(), close: () => this.close() };
  }

  /** After each pipeline run the gateway accepted: the leader writes the status that changed. */
  async resolved(result: PipelineResult): Promise<void> {
    if (this.#closed || !this.isLeader) return;
    const published = await this.#publisher.publish(result.resolution.statuses);
    this.#lastPublish = published;
    if (published.written > 0) this.#log(`switchyard: kubernetes: wrote ${published.written} status${published.written === 1 ? '' : 'es'}`);
    if (published.failed > 0) this.#schedule(this.#retry.next());
    else this.#retry.reset();
  }

  /** A full pass now, as the periodic resync does. */
  resync(): void {
    this.#schedule(0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    await this.#running;
    await this.#elector?.stop();
    await this.cache.stop();
  }

  #changed(): void {
    this.#changedSinceLoad = true;
    this.#schedule(this.#options.debounceMs ?? 100);
  }

  #schedule(delayMs: number): void {
    if (this.#closed || !this.#onChange) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fire(), delayMs);
  }

  #fire(): void {
    this.#timer = undefined;
    const onChange = this.#onChange;
    if (this.#closed || !onChange) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = onChange()
      .catch((err: unknown) => this.#log(`switchyard: kubernetes: reload failed: ${(err as Error).message}`))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.#fire();
        }
      });
  }
}
