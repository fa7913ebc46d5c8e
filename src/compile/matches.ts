/**
 * Flattening: every match of every HTTPRoute/GRPCRoute rule becomes one MatchSpec, the unit
 * the table orders and the core tests. A rule without matches gets one match-everything match
 * (index 0); rules the resolver marked `invalid` contribute none. Header and query matches keep only the first entry per equivalent name (the spec
 * ignores later ones); header names are lower-cased, query names are case-sensitive.
 */
import type { GRPCRoute, HTTPHeaderMatch, HTTPRoute } from '../model/gateway-api.js';
import type { AttachedRoute } from '../resolve/types.js';
import { routeIdPrefix } from './backends.js';
import type { MatchedRouteKind } from './manifest.js';
import { normalizePrefix } from './paths.js';

export interface ValueMatch {
  name: string;
  type: 'Exact' | 'RegularExpression';
  value: string;
}

export interface RouteOrder {
  /** creationTimestamp in ms since the epoch, or null when absent or unparsable. */
  created: number | null;
  seq: number;
  /** `namespace/name`. */
  key: string;
}

export interface MatchSpec {
  id: string;
  /** `kind/namespace/name/rule/i`: the rule this match selects. */
  ruleKey: string;
  kind: MatchedRouteKind;
  namespace: string;
  name: string;
  ruleIndex: number;
  matchIndex: number;
  order: RouteOrder;
  /** HTTPRoute path; prefix values are normalised (see paths.ts). */
  path?: { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string };
  grpc?: { type: 'Exact' | 'RegularExpression'; service?: string; method?: string };
  method?: string;
  headers: ValueMatch[];
  query: ValueMatch[];
}

export function routeOrder(attached: AttachedRoute): RouteOrder {
  const meta = attached.route.metadata;
  const created = meta.creationTimestamp ? Date.parse(meta.creationTimestamp) : NaN;
  return {
    created: Number.isNaN(created) ? null : created,
    seq: attached.seq ?? 0,
    key: `${meta.namespace ?? 'default'}/${meta.name}`,
  };
}

function firstPerName(list: readonly HTTPHeaderMatch[] | undefined, fold: boolean): ValueMatch[] {
  if (!list || list.length === 0) return [];
  const seen = new Set<string>();
  const out: ValueMatch[] = [];
  for (const m of list ?? []) {
    const name = fold ? m.name.toLowerCase() : m.name;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, type: m.type ?? 'Exact', value: m.value });
  }
  return out;
}

/** All matches of an attached HTTPRoute or GRPCRoute (other kinds yield none). */
export function flattenMatches(attached: AttachedRoute): MatchSpec[] {
  const route = attached.route;
  if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute') return [];
  const kind = route.kind;
  const namespace = route.metadata.namespace ?? 'default';
  const name = route.metadata.name;
  const prefix = routeIdPrefix(kind, namespace, name);
  const order = routeOrder(attached);
  const out: MatchSpec[] = [];
  const rules = (route.spec.rules ?? []) as (HTTPRoute['spec']['rules'][number] | NonNullable<GRPCRoute['spec']['rules']>[number])[];
  const invalid = attached.rules.some((r) => r.invalid) ? new Set(attached.rules.filter((r) => r.invalid).map((r) => r.index)) : null;
  rules.forEach((rule, ruleIndex) => {
    if (invalid?.has(ruleIndex)) return; // dropped from the route by the resolver
    const ruleKey = `${prefix}/rule/${ruleIndex}`;
    const matches: unknown[] = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
    matches.forEach((raw, matchIndex) => {
      const spec: MatchSpec = {
        id: `${ruleKey}/match/${matchIndex}`,
        ruleKey,
        kind,
        namespace,
        name,
        ruleIndex,
        matchIndex,
        order,
        headers: firstPerName((raw as { headers?: HTTPHeaderMatch[] }).headers, true),
        query: [],
      };
      if (kind === 'HTTPRoute') {
        const m = raw as Partial<HTTPRoute['spec']['rules'][number]['matches'][number]>;
        const type = m.path?.type ?? 'PathPrefix';
        const value = m.path?.value ?? '/';
        spec.path = { type, value: type === 'PathPrefix' ? normalizePrefix(value) : value };
        if (m.method) spec.method = m.method;
        spec.query = firstPerName(m.queryParams, false);
      } else {
        const m = raw as { method?: { type?: 'Exact' | 'RegularExpression'; service?: string; method?: string } };
        spec.grpc = { type: m.method?.type ?? 'Exact' };
        if (m.method?.service !== undefined) spec.grpc.service = m.method.service;
        if (m.method?.method !== undefined) spec.grpc.method = m.method.method;
      }
      out.push(spec);
    });
  });
  return out;
}
