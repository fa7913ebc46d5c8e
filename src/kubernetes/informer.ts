/**
 * An informer: the objects of one resource (in one namespace or all), kept current by
 * list + watch as client-go's reflector does:
 *
 *  - list (paged), remember the list's resourceVersion, then watch from it with bookmarks;
 *  - a watch that ends (server timeout) is started again from the last resourceVersion seen;
 *  - 410 Gone (an expired resourceVersion, as a watch ERROR event or an HTTP answer) -> relist;
 *  - a failed connection -> retry with exponential backoff (reset once a watch is established);
 *  - a version the server does not serve (404) -> the next served version; none -> the kind is
 *    absent (no CRD installed) and is looked for again later.
 */
import type { KubeObject } from '../load/load.js';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { ApiError, isApiError, type KubeClient, type KubeList, type WatchEvent } from './client.js';
import { apiVersionOf, collectionPath, type Resource } from './resources.js';

export interface InformerOptions {
  client: KubeClient;
  resource: Resource;
  /** Only this namespace (namespaced kinds); undefined: all namespaces. */
  namespace?: string;
  /** Called after every change of the store (not for events that change nothing). */
  onChange: () => void;
  log: (line: string) => void;
  backoff?: BackoffOptions;
  /** Server-side watch timeout; default a random 5-10 minutes, as client-go. */
  watchTimeoutSeconds?: number;
  /** How long a kind the server does not serve waits before it is looked for again. Default 60 s. */
  absentRetryMs?: number;
  /** Items per list page. Default 500. */
  pageSize?: number;
}

export class Informer {
  readonly resource: Resource;
  readonly namespace: string | undefined;
  /** Objects by `namespace/name` (or `name`). */
  readonly #store = new Map<string, KubeObject>();
  readonly #options: InformerOptions;
  readonly #backoff: Backoff;
  readonly #abort = new AbortController();
  #versionIndex = 0;
  #resourceVersion: string | undefined;
  #served = false;
  #synced = false;
  #running: Promise<void> | undefined;
  #markSynced!: () => void;
  /** Settles after the first complete list (or once the kind is known to be absent). */
  readonly synced: Promise<void>;

  constructor(options: InformerOptions) {
    this.#options = options;
    this.resource = options.resource;
    this.namespace = options.resource.namespaced ? options.namespace : undefined;
    this.#backoff = new Backoff(options.backoff);
    this.synced = new Promise((resolve) => (this.#markSynced = resolve));
  }

  /** The version being listed and watched (the preferred one until the server says otherwise). */
  get version(): string {
    return this.resource.versions[this.#versionIndex]!;
  }

  /** Whether the server serves the kind (false before the first list and when no CRD is installed). */
  get served(): boolean {
    return this.#served;
  }

  get objects(): IterableIterator<KubeObject> {
    return this.#store.values();
  }

  get(name: string, namespace?: string): KubeObject | undefined {
    return this.#store.get(storeKey(name, this.resource.namespaced ? namespace : undefined));
  }

  /**
   * Replaces an object with a newer copy the caller got from the server (e.g. the answer to a
   * status patch), only if the store still holds `basedOn`: an event that already brought a
   * later version wins. The watch event for the same version then changes nothing.
   */
  replaceIf(basedOn: string | undefined, object: KubeObject): boolean {
    const key = keyOf(object);
    const current = this.#store.get(key);
    if (!current || current.metadata.resourceVersion !== basedOn) return false;
    this.#store.set(key, this.#normalize(object));
    return true;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
    this.#markSynced();
  }

  get #path(): string {
    return collectionPath(this.resource, this.version, this.namespace);
  }

  get #where(): string {
    return `${this.resource.plural}.${this.version}${this.resource.group ? `.${this.resource.group}` : ''}${this.namespace ? ` in ${this.namespace}` : ''}`;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) await this.#list(signal);
        await this.#watch(signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isApiError(err, 410)) {
          this.#options.log(`switchyard: kubernetes: ${this.#where}: resourceVersion ${this.#resourceVersion} expired, listing again`);
          this.#resourceVersion = undefined;
          continue;
        }
        if (isApiError(err, 404)) {
          // Not served (any more): list again, which finds the next served version or none.
          if (this.#resourceVersion !== undefined) this.#resourceVersion = undefined;
          else await this.#notServed(signal);
          continue;
        }
        const delay = this.#backoff.next();
        this.#options.log(`switchyard: kubernetes: ${this.#where}: ${(err as Error).message}; retrying in ${delay} ms`);
        await sleep(delay, signal);
      }
    }
  }

  /** The version is not served: try the next one; with none left, the kind is absent for now. */
  async #notServed(signal: AbortSignal): Promise<void> {
    if (this.#versionIndex + 1 < this.resource.versions.length) {
      this.#versionIndex++;
      return;
    }
    const wasServed = this.#served;
    this.#served = false;
    this.#versionIndex = 0;
    if (this.#store.size > 0) {
      this.#store.clear();
      this.#options.onChange();
    }
    if (wasServed || !this.#synced) {
      this.#options.log(`switchyard: kubernetes: ${this.resource.kind} is not served by the cluster (no CRD installed?); looking again later`);
    }
    this.#setSynced();
    await sleep(this.#options.absentRetryMs ?? 60_000, signal);
  }

  #setSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    this.#markSynced();
  }

  async #list(signal: AbortSignal): Promise<void> {
    const next = new Map<string, KubeObject>();
    let resourceVersion: string | undefined;
    let token: string | undefined;
    // Bounded: each page moves the continue token forward; the server ends with none.
    for (let page = 0; page < 1_000_000; page++) {
      const list = await this.#options.client.request<KubeList>('GET', this.#path, {
        query: { limit: this.#options.pageSize ?? 500, continue: token },
        signal,
      });
      if (page === 0) resourceVersion = list.metadata?.resourceVersion;
      for (const item of list.items ?? []) {
        const object = this.#normalize(item);
        next.set(keyOf(object), object);
      }
      token = list.metadata?.continue || undefined;
      if (!token) break;
    }
    if (resourceVersion === undefined) throw new Error(`list ${this.#path}: no resourceVersion in the answer`);
    let changed = next.size !== this.#store.size;
    for (const [key, object] of next) {
      const old = this.#store.get(key);
      if (!old || !sameContent(old, object)) changed = true;
    }
    this.#store.clear();
    for (const [key, object] of next) this.#store.set(key, object);
    this.#resourceVersion = resourceVersion;
    this.#served = true;
    this.#setSynced();
    if (changed) this.#options.onChange();
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = this.#options.watchTimeoutSeconds ?? Math.round(300 + Math.random() * 300);
    const events = this.#options.client.watch(
      this.#path,
      { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
      signal,
      // A watch that stays silent well past its own timeout is a dead connection.
      (timeoutSeconds + 30) * 1000,
    );
    let established = false;
    for await (const event of events) {
      if (!established) {
        established = true;
        this.#backoff.reset();
      }
      this.#apply(event);
    }
    // Established and then ended normally: the server's timeout. Watch again at once.
    if (established) this.#backoff.reset();
  }

  #apply(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      const status = event.object;
      throw ApiError.fromStatus(status.code ?? 500, status, `watch ${this.#path}: ${status.reason ?? 'error'}`);
    }
    const object = event.object;
    const rv = object.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (rv) this.#resourceVersion = rv;
      return;
    }
    const normalized = this.#normalize(object);
    const key = keyOf(normalized);
    if (event.type === 'DELETED') {
      if (this.#store.delete(key)) this.#options.onChange();
    } else {
      const old = this.#store.get(key);
      this.#store.set(key, normalized);
      if (!old || !sameContent(old, normalized)) this.#options.onChange();
    }
    if (rv) this.#resourceVersion = rv;
  }

  /** List items of built-in kinds carry no apiVersion/kind; managedFields are not needed. */
  #normalize(item: KubeObject): KubeObject {
    const { managedFields: _managed, ...metadata } = item.metadata ?? ({} as KubeObject['metadata']);
    return { ...item, apiVersion: apiVersionOf(this.resource, this.version), kind: this.resource.kind, metadata };
  }
}

function storeKey(name: string, namespace: string | undefined): string {
  return namespace ? `${namespace}/${name}` : name;
}

function keyOf(object: KubeObject): string {
  return storeKey(object.metadata.name, object.metadata.namespace);
}

/** Equal but for the resourceVersion: nothing the pipeline or the status writer reads changed. */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  if (a === b) return true;
  const strip = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}
