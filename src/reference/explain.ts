/**
 * Why a request does not match: for `switchyard route`, every route match of the listeners on
 * the request's port checked predicate by predicate, with the reason each failed. Written from
 * the Resolution with the same helpers as the reference matcher, so its answers are the
 * reference semantics spelled out; it never decides routing itself.
 */
import { HTTP_PROTOCOLS } from '../compile/compile.js';
import { listenerScore, normalizeHost, suffixMatches, wildcardSuffix } from '../compile/hostnames.js';
import { flattenMatches, type MatchSpec, type ValueMatch } from '../compile/matches.js';
import { grpcPath, prefixMatches, queryParam, splitTarget } from '../compile/paths.js';
import type { AttachedRoute, Resolution } from '../resolve/types.js';
import { headerValue, isGrpcRequest } from '../runtime/request.js';
import type { MatchRequest } from '../runtime/types.js';
import { referenceRegexMatch } from './regex.js';

export interface Miss {
  /** `httproute/<ns>/<name>/rule/<i>/match/<j>`. */
  id: string;
  gateway: string;
  listener: string;
  /** Why this match does not take the request, most fundamental first. */
  reasons: string[];
}

export interface ListenerVerdict {
  gateway: string;
  listener: string;
  hostname?: string;
  /** Whether this is the listener the request is matched against (the most specific one). */
  selected: boolean;
  /** Why it was not selected, when it was not. */
  reason?: string;
}

export interface Explanation {
  listeners: ListenerVerdict[];
  /** Matches that did not take the request, fewest failed predicates first. */
  misses: Miss[];
}

/** Explains the outcome for a request against the routes of the listeners on its port. */
export function explainRequest(resolution: Pick<Resolution, 'gateways'>, request: MatchRequest, limit = 5): Explanation {
  const host = normalizeHost(request.host);
  const candidates: { gateway: string; listener: string; hostname?: string; score: number; routes: AttachedRoute[] }[] = [];
  for (const rg of resolution.gateways) {
    const gateway = `${rg.gateway.metadata.namespace ?? 'default'}/${rg.gateway.metadata.name}`;
    if (request.gateway !== undefined && request.gateway !== gateway) continue;
    for (const l of rg.listeners) {
      if (!l.ready || !HTTP_PROTOCOLS.has(l.protocol) || l.port !== request.port) continue;
      const listener = l.owner.kind === 'ListenerSet' ? `${l.owner.namespace}/${l.owner.name}/${l.name}` : l.name;
      candidates.push({ gateway, listener, hostname: l.hostname, score: listenerScore(l.hostname, host), routes: l.routes });
    }
  }
  const best = candidates.reduce((m, c) => Math.max(m, c.score), 0);
  const selected = best > 0 ? candidates.find((c) => c.score === best) : undefined;
  const listeners: ListenerVerdict[] = candidates.map((c) => {
    const verdict: ListenerVerdict = { gateway: c.gateway, listener: c.listener, selected: c === selected };
    if (c.hostname) verdict.hostname = c.hostname;
    if (c !== selected) {
      verdict.reason =
        c.score === 0
          ? `listener hostname ${c.hostname} does not accept host ${host}`
          : `listener ${selected!.listener}${selected!.hostname ? ` (${selected!.hostname})` : ''} is more specific for host ${host}`;
    }
    return verdict;
  });

  const misses: Miss[] = [];
  const { path, query } = splitTarget(request.path);
  const grpc = isGrpcRequest(request.headers);
  for (const c of candidates) {
    for (const attached of c.routes) {
      const hostReason = hostnameReason(attached.hostnames, host);
      for (const spec of flattenMatches(attached)) {
        const reasons: string[] = [];
        if (c !== selected) reasons.push(`attached to listener ${c.listener}, which does not take this request`);
        if (hostReason) reasons.push(hostReason);
        if (spec.kind === 'GRPCRoute' && !grpc) reasons.push('GRPCRoute match, but the request is not gRPC (content-type application/grpc)');
        reasons.push(...predicateReasons(spec, request, path, query));
        if (reasons.length > 0) misses.push({ id: spec.id, gateway: c.gateway, listener: c.listener, reasons });
      }
    }
  }
  misses.sort((a, b) => a.reasons.length - b.reasons.length);
  return { listeners, misses: misses.slice(0, limit) };
}

function hostnameReason(hostnames: readonly string[], host: string): string | undefined {
  if (hostnames.length === 0) return undefined;
  const accepts = hostnames.some((h) => {
    const n = normalizeHost(h);
    const suffix = wildcardSuffix(n);
    return suffix === null ? n === host : suffixMatches(suffix, host);
  });
  return accepts ? undefined : `hostnames ${hostnames.join(', ')} do not include ${host}`;
}

function predicateReasons(spec: MatchSpec, request: MatchRequest, path: string, query: string | null): string[] {
  const reasons: string[] = [];
  if (spec.grpc) {
    const g = spec.grpc;
    const parts = grpcPath(path);
    if ((g.service !== undefined || g.method !== undefined) && !parts) reasons.push(`path ${JSON.stringify(path)} is not /<service>/<method>`);
    if (parts && g.service !== undefined && !holds(g.type, g.service, parts.service)) reasons.push(`service: wants ${describe(g.type, g.service)}, got ${JSON.stringify(parts.service)}`);
    if (parts && g.method !== undefined && !holds(g.type, g.method, parts.method)) reasons.push(`method: wants ${describe(g.type, g.method)}, got ${JSON.stringify(parts.method)}`);
  } else if (spec.path) {
    const p = spec.path;
    const ok = p.type === 'Exact' ? path === p.value : p.type === 'PathPrefix' ? prefixMatches(p.value, path) : referenceRegexMatch(p.value, path);
    if (!ok) reasons.push(`path: wants ${p.type} ${JSON.stringify(p.type === 'PathPrefix' ? p.value || '/' : p.value)}, got ${JSON.stringify(path)}`);
  }
  if (spec.method !== undefined && request.method !== spec.method) reasons.push(`method: wants ${spec.method}, got ${request.method}`);
  for (const h of spec.headers) {
    const v = headerValue(request.headers, h.name);
    if (v === undefined || !holdsValue(h, v)) reasons.push(`header ${h.name}: wants ${describe(h.type, h.value)}, got ${v === undefined ? 'none' : JSON.stringify(v)}`);
  }
  for (const q of spec.query) {
    const v = queryParam(query, q.name);
    if (v === null || !holdsValue(q, v)) reasons.push(`query ${q.name}: wants ${describe(q.type, q.value)}, got ${v === null ? 'none' : JSON.stringify(v)}`);
  }
  return reasons;
}

function holds(type: 'Exact' | 'RegularExpression', pattern: string, value: string): boolean {
  return type === 'Exact' ? value === pattern : referenceRegexMatch(pattern, value);
}

function holdsValue(m: ValueMatch, value: string): boolean {
  return holds(m.type, m.value, value);
}

function describe(type: 'Exact' | 'RegularExpression', value: string): string {
  return `${type === 'Exact' ? '' : 'regex '}${JSON.stringify(value)}`;
}
