/**
 * The cluster as the pipeline sees it: one informer per resource (per namespace for
 * namespaced kinds when namespaces are given), read as LoadedObjects in creation order, and
 * the current status of every object whose status this controller may write.
 */
import { lookupKind, type KindName } from '../load/kinds.js';
import type { KubeObject, LoadedObject } from '../load/load.js';
import { syntheticOrigin } from '../load/source.js';
import { objectKey } from '../model/objects.js';
import type { ObjectStatus } from '../resolve/types.js';
import type { BackoffOptions } from './backoff.js';
import type { KubeClient } from './client.js';
import { Informer } from './informer.js';
import { RESOURCES, STATUS_KINDS, type Resource } from './resources.js';

export interface ClusterCacheOptions {
  client: KubeClient;
  /** Watch namespaced kinds only in these namespaces; empty or absent: all namespaces. */
  namespaces?: readonly string[];
  onChange: () => void;
  log: (line: string) => void;
  backoff?: BackoffOptions;
  watchTimeoutSeconds?: number;
  absentRetryMs?: number;
  resources?: readonly Resource[];
}

export class ClusterCache {
  readonly informers: readonly Informer[];

  constructor(options: ClusterCacheOptions) {
    const namespaces = options.namespaces && options.namespaces.length > 0 ? [...new Set(options.namespaces)] : [undefined];
    const informers: Informer[] = [];
    for (const resource of options.resources ?? RESOURCES) {
      for (const namespace of resource.namespaced ? namespaces : [undefined]) {
        informers.push(
          new Informer({
            client: options.client,
            resource,
            ...(namespace !== undefined ? { namespace } : {}),
            onChange: options.onChange,
            log: options.log,
            ...(options.backoff ? { backoff: options.backoff } : {}),
            ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
            ...(options.absentRetryMs !== undefined ? { absentRetryMs: options.absentRetryMs } : {}),
          }),
        );
      }
    }
    this.informers = informers;
  }

  /** Starts every informer; resolves once each has listed once (or found its kind absent). */
  async start(): Promise<void> {
    for (const informer of this.informers) informer.start();
    await Promise.all(this.informers.map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  /** The informer holding objects of `kind` in `namespace`. */
  informerFor(kind: KindName, namespace: string | undefined): Informer | undefined {
    return this.informers.find((i) => i.resource.kind === kind && (i.namespace === undefined || i.namespace === namespace));
  }

  /**
   * Every object, ordered as they were created (creationTimestamp, then kind, namespace and
   * name), each with an origin naming it: `Kind ns/name (resourceVersion N)`.
   */
  objects(): LoadedObject[] {
    const all: { object: KubeObject; informer: Informer }[] = [];
    for (const informer of this.informers) for (const object of informer.objects) all.push({ object, informer });
    all.sort((a, b) => compareCreation(a.object, b.object));
    const out: LoadedObject[] = [];
    for (const { object } of all) {
      const found = lookupKind(object.apiVersion, object.kind);
      if (!found.ok) continue;
      out.push({ object, info: found.info, origin: syntheticOrigin(describeObject(object)), seq: out.length });
    }
    return out;
  }

  /** The current `status` of every object of a kind whose status this controller writes, keyed by `objectKey`. */
  statuses(): Map<string, ObjectStatus> {
    const out = new Map<string, ObjectStatus>();
    for (const informer of this.informers) {
      if (!STATUS_KINDS.has(informer.resource.kind)) continue;
      for (const object of informer.objects) {
        const status = object.status;
        if (typeof status !== 'object' || status === null) continue;
        const { name, namespace } = object.metadata;
        out.set(objectKey(object), { ref: { kind: object.kind, name, ...(namespace ? { namespace } : {}) }, status: status as Record<string, unknown> });
      }
    }
    return out;
  }
}

/** `Kind ns/name (resourceVersion N)`: where a cluster object came from, in diagnostics. */
export function describeObject(object: KubeObject): string {
  const { name, namespace, resourceVersion } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name} (resourceVersion ${resourceVersion ?? 'unknown'})`;
}

const KIND_ORDER = new Map(RESOURCES.map((r, i) => [r.kind as string, i]));

function compareCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = KIND_ORDER.get(a.kind) ?? 0;
  const kb = KIND_ORDER.get(b.kind) ?? 0;
  if (ka !== kb) return ka - kb;
  const na = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const nb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return na < nb ? -1 : na > nb ? 1 : 0;
}
