/**
 * Rules and their weighted backends: the host-facing description (RuleInfo) and the core's
 * one-word rule records, the offset of the rule's backend list `[totalWeight, entry...]` with
 * one-word entries `weight | BACKEND_RESOLVED` (bit 31 = the reference resolved to a Service
 * port). Identical lists (the usual single resolved backend of weight 1) are stored once.
 */
import type { AttachedRoute, ResolvedBackend } from '../resolve/types.js';
import { BACKEND_RESOLVED, BACKEND_WEIGHT_MASK } from './format.js';
import type { BackendInfo, MatchedRouteKind, MatchPath, RuleInfo } from './manifest.js';
import type { TableWriter } from './writer.js';

export function routeIdPrefix(kind: MatchedRouteKind, namespace: string, name: string): string {
  return `${kind.toLowerCase()}/${namespace}/${name}`;
}

export function describeBackend(b: ResolvedBackend): BackendInfo {
  const ref = b.ref as ResolvedBackend['ref'] & { filters?: unknown[] };
  const info: BackendInfo = {
    group: ref.group,
    kind: ref.kind,
    namespace: b.namespace,
    name: ref.name,
    weight: b.weight,
    filters: ref.filters ?? [],
  };
  if (ref.port !== undefined) info.port = ref.port;
  if (b.tls) info.tls = b.tls;
  if ('problem' in b.target) {
    info.problem = b.target.problem;
    info.message = b.target.message;
  } else {
    const svc = b.target.service;
    info.service = { namespace: svc.metadata.namespace ?? b.namespace, name: svc.metadata.name, port: b.target.port.port };
    if (b.target.port.appProtocol !== undefined) info.service.appProtocol = b.target.port.appProtocol;
  }
  return info;
}

/** The host-facing description of rule `ruleIndex` of an attached HTTPRoute or GRPCRoute. */
export function describeRule(attached: AttachedRoute, ruleIndex: number): RuleInfo {
  const route = attached.route;
  const kind = route.kind as MatchedRouteKind;
  const namespace = route.metadata.namespace ?? 'default';
  const name = route.metadata.name;
  const specRule = (route.spec.rules ?? [])[ruleIndex] as
    | { name?: string; matches?: { path?: Partial<MatchPath> }[]; filters?: unknown[]; timeouts?: unknown; retry?: unknown; sessionPersistence?: unknown }
    | undefined;
  const resolved = attached.rules.find((r) => r.index === ruleIndex);
  const info: RuleInfo = {
    id: `${routeIdPrefix(kind, namespace, name)}/rule/${ruleIndex}`,
    kind,
    namespace,
    name,
    ruleIndex,
    filters: specRule?.filters ?? [],
    backends: (resolved?.backends ?? []).map(describeBackend),
    filterBackends: (resolved?.filterBackends ?? []).map((f) => ({
      filter: f.filter,
      ...(f.backend !== undefined ? { backend: f.backend } : {}),
      type: f.type,
      target: describeBackend(f.resolved),
    })),
  };
  if (kind === 'HTTPRoute') {
    // Same defaulting as flattenMatches: no matches means one match-everything match.
    const matches = specRule?.matches && specRule.matches.length > 0 ? specRule.matches : [{}];
    info.matchPaths = matches.map((m: { path?: Partial<MatchPath> }) => ({ type: m.path?.type ?? 'PathPrefix', value: m.path?.value ?? '/' }));
  }
  if (resolved?.unresolvedFilter !== undefined) info.unresolvedFilter = resolved.unresolvedFilter;
  if (specRule?.name !== undefined) info.ruleName = specRule.name;
  if (specRule?.timeouts !== undefined) info.timeouts = specRule.timeouts;
  if (specRule?.retry !== undefined) info.retry = specRule.retry;
  if (specRule?.sessionPersistence !== undefined) info.sessionPersistence = specRule.sessionPersistence;
  return info;
}

/** Writes the rule records; returns the offset of the first. */
export function writeRules(w: TableWriter, rules: readonly RuleInfo[]): number {
  return writeRuleRecords(w, rules.map((r) => r.backends.map((b) => ({ weight: b.weight, resolved: b.service !== undefined }))));
}

/** Writes rule records from each rule's backends (weight, resolved); returns the offset of the first. */
export function writeRuleRecords(w: TableWriter, rules: readonly { weight: number; resolved: boolean }[][]): number {
  const records: number[] = [];
  for (const backends of rules) {
    let total = 0;
    const entries = backends.map((b) => {
      total += b.weight;
      return ((b.weight & BACKEND_WEIGHT_MASK) | (b.resolved ? BACKEND_RESOLVED : 0)) >>> 0;
    });
    records.push(entries.length ? w.wordsOnce([total, ...entries]) : 0);
  }
  return records.length ? w.words(records) : w.length;
}
