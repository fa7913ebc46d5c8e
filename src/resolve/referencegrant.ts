/**
 * ReferenceGrant matching: a reference from an object in one namespace to an object in another
 * is allowed only when a ReferenceGrant in the target namespace lists the referrer's group, kind
 * and namespace in `from` and the target's group, kind (and name, when the grant names one) in
 * `to`. Same-namespace references never need a grant.
 */
import type { ReferenceGrant } from '../model/gateway-api.js';

export interface ReferenceFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface ReferenceTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function referenceAllowed(grants: readonly ReferenceGrant[], from: ReferenceFrom, to: ReferenceTo): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some(
    (g) =>
      g.metadata.namespace === to.namespace &&
      g.spec.from.some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      g.spec.to.some((t) => t.group === to.group && t.kind === to.kind && (t.name === undefined || t.name === '' || t.name === to.name)),
  );
}
