/**
 * Status write-back: the status the resolver computed, written through the `/status`
 * subresource with a JSON merge patch, only where it differs from the cluster's current status
 * (lastTransitionTime aside: the resolver keeps the times of unchanged conditions when given
 * the cluster's statuses as `previous`).
 *
 * GatewayClass, Gateway and ListenerSet status is the controller's alone: it is replaced whole.
 * Route `status.parents` and BackendTLSPolicy `status.ancestors` are shared by controllers:
 * only the entries with this controller's `controllerName` are written (and removed when the
 * object no longer attaches to our Gateways); other controllers' entries are kept. Every patch
 * carries `metadata.resourceVersion`, so a concurrent change fails with 409 Conflict instead of
 * being overwritten; the change's watch event brings a new pass.
 */
import type { KindName } from '../load/kinds.js';
import type { KubeObject } from '../load/load.js';
import { objectKey } from '../model/objects.js';
import type { ObjectStatus } from '../resolve/types.js';
import type { ClusterCache } from './cache.js';
import { isApiError, type KubeClient } from './client.js';
import { objectPath, STATUS_KINDS } from './resources.js';

/** The status list shared between controllers, per kind. */
const SHARED_LISTS: Partial<Record<KindName, 'parents' | 'ancestors'>> = {
  HTTPRoute: 'parents',
  GRPCRoute: 'parents',
  TLSRoute: 'parents',
  TCPRoute: 'parents',
  UDPRoute: 'parents',
  BackendTLSPolicy: 'ancestors',
};

export type StatusPatch = { metadata: { resourceVersion?: string }; status: Record<string, unknown> };

/**
 * The merge patch that brings `current`'s status to `desired` (undefined: the resolver wrote no
 * status for it), or undefined when nothing would change.
 */
export function statusPatch(current: KubeObject, desired: Record<string, unknown> | undefined, controllerName: string): StatusPatch | undefined {
  const kind = current.kind as KindName;
  const now = isRecord(current.status) ? current.status : {};
  const list = SHARED_LISTS[kind];
  const metadata = { resourceVersion: current.metadata.resourceVersion };
  if (list) {
    const entries = Array.isArray(now[list]) ? (now[list] as unknown[]) : [];
    const ours = (e: unknown) => isRecord(e) && e.controllerName === controllerName;
    const currentOurs = entries.filter(ours);
    const wanted = Array.isArray(desired?.[list]) ? (desired![list] as unknown[]) : [];
    if (sameIgnoringTimes(currentOurs, wanted)) return undefined;
    return { metadata, status: { [list]: [...entries.filter((e) => !ours(e)), ...wanted] } };
  }
  if (desired === undefined) return undefined;
  if (sameIgnoringTimes(now, desired)) return undefined;
  // Merge patch: keys of the current status that the controller no longer writes are removed.
  const status: Record<string, unknown> = { ...desired };
  for (const key of Object.keys(now)) if (!(key in desired)) status[key] = null;
  return { metadata, status };
}

export interface PublishResult {
  /** Patches the server accepted. */
  written: number;
  /** Patches refused because the object changed meanwhile (409) or is gone (404). */
  stale: number;
  /** Other failures (logged); the caller retries later. */
  failed: number;
}

export class StatusPublisher {
  constructor(
    private readonly client: KubeClient,
    private readonly cache: ClusterCache,
    private readonly controllerName: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Writes every status that changed; `statuses` as the resolver returned them (keyed by objectKey). */
  async publish(statuses: ReadonlyMap<string, ObjectStatus>): Promise<PublishResult> {
    const result: PublishResult = { written: 0, stale: 0, failed: 0 };
    for (const informer of this.cache.informers) {
      if (!STATUS_KINDS.has(informer.resource.kind) || !informer.served) continue;
      for (const object of [...informer.objects]) {
        const patch = statusPatch(object, statuses.get(objectKey(object))?.status, this.controllerName);
        if (!patch) continue;
        const { name, namespace } = object.metadata;
        const path = `${objectPath(informer.resource, informer.version, name, namespace)}/status`;
        try {
          const updated = await this.client.request<KubeObject>('PATCH', path, { body: patch, contentType: 'application/merge-patch+json' });
          informer.replaceIf(object.metadata.resourceVersion, updated);
          result.written++;
        } catch (err) {
          if (isApiError(err, 409) || isApiError(err, 404)) {
            result.stale++;
            continue;
          }
          result.failed++;
          this.log(`switchyard: kubernetes: writing the status of ${object.kind} ${namespace ? `${namespace}/` : ''}${name}: ${(err as Error).message}`);
        }
      }
    }
    return result;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality with object keys in any order and every `lastTransitionTime` left out. */
export function sameIgnoringTimes(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) {
    const keys = Object.keys(v)
      .filter((k) => k !== 'lastTransitionTime' && v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
