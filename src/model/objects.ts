/**
 * What flows between the pipeline stages: loaded -> validated -> resolved.
 */
import type { IngressObject } from '../ingress/model.js';
import type { LoadedObject } from '../load/load.js';
import type { CoreObject } from './core.js';
import type { GatewayApiObject } from './gateway-api.js';

/**
 * An object that passed validation: defaults applied (CRD defaults, `metadata.namespace`
 * defaulted to `default` for namespaced kinds, `metadata.generation` defaulted to 1), read
 * into the v1 shape. A fresh copy: the loaded object is never mutated.
 */
export interface ValidObject extends LoadedObject {
  object: GatewayApiObject | CoreObject | IngressObject;
}

/** `Kind/namespace/name` (or `Kind/name` for cluster-scoped kinds): the identity of an object. */
export function objectKey(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}
