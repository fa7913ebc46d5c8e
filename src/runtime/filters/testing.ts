/**
 * Builders for the filter unit tests: a Decision for a rule with given filters, and request
 * heads. (Excluded from the build, like every `testing.ts`.)
 */
import type { BackendInfo, ListenerInfo, MatchPath, RuleInfo } from '../../compile/manifest.js';
import type { HTTPRouteFilter } from '../../model/gateway-api.js';
import type { Decision } from '../types.js';
import { RecordHeaders } from './headers.js';
import type { RequestHead } from './types.js';

export function backend(name: string, filters: HTTPRouteFilter[] = [], resolved = true): BackendInfo {
  const info: BackendInfo = { group: '', kind: 'Service', namespace: 'ns', name, port: 8080, weight: 1, filters };
  if (resolved) info.service = { namespace: 'ns', name, port: 8080 };
  else {
    info.problem = 'BackendNotFound';
    info.message = `Service ns/${name} not found`;
  }
  return info;
}

export interface DecisionOptions {
  filters?: HTTPRouteFilter[];
  backends?: BackendInfo[];
  /** Index of the picked backend; 0 by default, -1 for none. */
  pick?: number;
  matchPaths?: MatchPath[];
  matchIndex?: number;
  listener?: Partial<ListenerInfo>;
  filterBackends?: RuleInfo['filterBackends'];
  unresolvedFilter?: string;
}

export function decision(o: DecisionOptions = {}): Decision {
  const backends = o.backends ?? [backend('main')];
  const pick = o.pick ?? (backends.length > 0 ? 0 : -1);
  const rule: RuleInfo = {
    id: 'httproute/ns/r/rule/0',
    kind: 'HTTPRoute',
    namespace: 'ns',
    name: 'r',
    ruleIndex: 0,
    filters: o.filters ?? [],
    backends,
    filterBackends: o.filterBackends ?? [],
    matchPaths: o.matchPaths ?? [{ type: 'PathPrefix', value: '/' }],
  };
  if (o.unresolvedFilter !== undefined) rule.unresolvedFilter = o.unresolvedFilter;
  const picked = pick >= 0 ? backends[pick] : null;
  return {
    matched: true,
    id: `${rule.id}/match/${o.matchIndex ?? 0}`,
    listener: { index: 0, gateway: 'ns/gw', name: 'http', port: 80, protocol: 'HTTP', ...o.listener },
    route: { kind: 'HTTPRoute', namespace: 'ns', name: 'r' },
    ruleIndex: 0,
    matchIndex: o.matchIndex ?? 0,
    rule,
    backendIndex: pick,
    backend: picked,
    outcome: rule.unresolvedFilter !== undefined ? 'unresolved-filter' : picked === null ? 'no-backend' : picked.service ? 'forward' : 'unresolved-backend',
  };
}

export function head(path: string, headers: Record<string, string> = {}, init: Partial<Omit<RequestHead, 'headers' | 'path'>> = {}): RequestHead {
  const authority = init.authority ?? 'gw.example';
  return {
    method: init.method ?? 'GET',
    scheme: init.scheme ?? 'http',
    authority,
    path,
    headers: new RecordHeaders({ host: authority, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) }),
  };
}

/** A filter-resolved mirror target entry for `filterBackends`. */
export function mirrorEntry(filter: number, target: BackendInfo, backendIndex?: number): RuleInfo['filterBackends'][number] {
  return { filter, ...(backendIndex !== undefined ? { backend: backendIndex } : {}), type: 'RequestMirror', target };
}

export function mirror(name: string, extra: { percent?: number; fraction?: { numerator: number; denominator: number } } = {}): HTTPRouteFilter {
  return { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name, port: 8080 }, ...extra } };
}

export function headerFilter(type: 'RequestHeaderModifier' | 'ResponseHeaderModifier', mod: { set?: [string, string][]; add?: [string, string][]; remove?: string[] }): HTTPRouteFilter {
  const modifier = {
    ...(mod.set ? { set: mod.set.map(([name, value]) => ({ name, value })) } : {}),
    ...(mod.add ? { add: mod.add.map(([name, value]) => ({ name, value })) } : {}),
    ...(mod.remove ? { remove: mod.remove } : {}),
  };
  return type === 'RequestHeaderModifier' ? { type, requestHeaderModifier: modifier } : { type, responseHeaderModifier: modifier };
}
