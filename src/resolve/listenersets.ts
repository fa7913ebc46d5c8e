/**
 * ListenerSet admission: a ListenerSet joins a Gateway of ours when its parentRef names that
 * Gateway and the Gateway's `spec.allowedListeners.namespaces` (default None) admits the
 * ListenerSet's namespace. Admitted ListenerSets are ordered by precedence (oldest first, then
 * namespace/name); their listeners follow the Gateway's own.
 */
import type { Gateway, ListenerSet } from '../model/gateway-api.js';
import { GATEWAY_GROUP, type Catalog } from './catalog.js';
import { selectorMatches } from './selectors.js';

export interface ListenerSetAdmission {
  listenerSet: ListenerSet;
  gateway: Gateway;
  allowed: boolean;
  message: string;
}

/** Every ListenerSet whose parentRef names one of `gateways`, grouped by Gateway key, in precedence order. */
export function admitListenerSets(catalog: Catalog, isOurs: (gw: Gateway) => boolean): Map<Gateway, ListenerSetAdmission[]> {
  const out = new Map<Gateway, ListenerSetAdmission[]>();
  const sorted = [...catalog.listenerSets].sort((a, b) => catalog.compareCreation(a, b));
  for (const ls of sorted) {
    const p = ls.spec.parentRef;
    if ((p.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (p.kind ?? 'Gateway') !== 'Gateway') continue;
    const gw = catalog.gateway(p.namespace ?? (ls.metadata.namespace as string), p.name);
    if (!gw || !isOurs(gw)) continue;
    const admission = { listenerSet: ls, gateway: gw, ...allowedBy(catalog, gw, ls) };
    const list = out.get(gw) ?? [];
    list.push(admission);
    out.set(gw, list);
  }
  return out;
}

function allowedBy(catalog: Catalog, gw: Gateway, ls: ListenerSet): { allowed: boolean; message: string } {
  const from = gw.spec.allowedListeners?.namespaces.from ?? 'None';
  const lsNs = ls.metadata.namespace as string;
  const gwNs = gw.metadata.namespace as string;
  const gwName = `Gateway ${gwNs}/${gw.metadata.name}`;
  switch (from) {
    case 'All':
      return { allowed: true, message: '' };
    case 'Same':
      return lsNs === gwNs
        ? { allowed: true, message: '' }
        : { allowed: false, message: `${gwName} allows ListenerSets only from its own namespace, not from ${lsNs}` };
    case 'Selector':
      return selectorMatches(gw.spec.allowedListeners?.namespaces.selector, catalog.namespaceLabels(lsNs))
        ? { allowed: true, message: '' }
        : { allowed: false, message: `Namespace ${lsNs} does not match the allowedListeners selector of ${gwName}` };
    default:
      return { allowed: false, message: `${gwName} does not allow ListenerSets (allowedListeners.namespaces.from is None)` };
  }
}
