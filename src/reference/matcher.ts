/**
 * The reference matcher: Gateway API route matching written for clarity, straight from the
 * Resolution (no table, no index). It is the oracle the compiled table and the Wasm core are
 * checked against, so it spells every rule out as one ordered list of candidates:
 *
 *  1. listener: the most specific listener on the request's port (exact hostname, then the
 *     longest matching wildcard, then no hostname) among ready HTTP/HTTPS listeners;
 *  2. candidates: every match of every HTTPRoute/GRPCRoute on that listener whose effective
 *     hostnames accept the host (none = any host), ordered by
 *       host specificity (exact name, then longest wildcard suffix, then any host),
 *       GRPCRoute matches before HTTPRoute matches for gRPC requests (never for others),
 *       GRPCRoute: longer service, longer method, Exact before RegularExpression, more headers;
 *       HTTPRoute: Exact path, RegularExpression path (longer pattern first), PathPrefix (longer
 *       normalised prefix first); then method, more headers, more query params;
 *       then oldest creationTimestamp (absent last), load order, namespace/name, rule, match;
 *  3. the first candidate whose predicates all hold wins; its rule's backends are picked by
 *     weight with the shared xorshift32 generator.
 */
import { describeRule } from '../compile/backends.js';
import { HTTP_PROTOCOLS } from '../compile/compile.js';
import { listenerScore, normalizeHost, suffixMatches, wildcardSuffix } from '../compile/hostnames.js';
import type { ListenerInfo, RuleInfo } from '../compile/manifest.js';
import { flattenMatches, type MatchSpec, type ValueMatch } from '../compile/matches.js';
import { grpcPath, prefixMatches, queryParam, splitTarget } from '../compile/paths.js';
import { compileRegex } from '../compile/regex/program.js';
import type { AttachedRoute, Resolution } from '../resolve/types.js';
import { headerValue, isGrpcRequest } from '../runtime/request.js';
import type { Decision, Matcher, MatchRequest, NoRoute } from '../runtime/types.js';
import { pickWeighted, XorShift32 } from './prng.js';
import { referenceRegexMatch } from './regex.js';

interface RefListener {
  info: ListenerInfo;
  routes: AttachedRoute[];
}

interface Candidate {
  spec: MatchSpec;
  attached: AttachedRoute;
  /** 0 exact host, 1 wildcard, 2 any host. */
  hostTier: number;
  hostLen: number;
}

export class ReferenceMatcher implements Matcher {
  private readonly listeners: RefListener[] = [];
  private readonly rng = new XorShift32();
  private readonly regexOk = new Map<string, boolean>();

  constructor(resolution: Pick<Resolution, 'gateways'>) {
    for (const rg of resolution.gateways) {
      const gateway = `${rg.gateway.metadata.namespace ?? 'default'}/${rg.gateway.metadata.name}`;
      for (const l of rg.listeners) {
        if (!l.ready || !HTTP_PROTOCOLS.has(l.protocol)) continue;
        const name = l.owner.kind === 'ListenerSet' ? `${l.owner.namespace}/${l.owner.name}/${l.name}` : l.name;
        const info: ListenerInfo = { index: this.listeners.length, gateway, name, port: l.port, protocol: l.protocol };
        if (l.hostname) info.hostname = l.hostname.toLowerCase();
        this.listeners.push({ info, routes: l.routes });
      }
    }
  }

  seed(value: number): void {
    this.rng.seed(value);
  }

  match(request: MatchRequest): Decision | NoRoute {
    const host = normalizeHost(request.host);
    let listener: RefListener | null = null;
    let best = 0;
    for (const l of this.listeners) {
      if (l.info.port !== request.port) continue;
      if (request.gateway !== undefined && l.info.gateway !== request.gateway) continue;
      const score = listenerScore(l.info.hostname, host);
      if (score > best) {
        best = score;
        listener = l;
      }
    }
    if (!listener) return { matched: false, reason: 'no-listener', listener: null };

    const grpc = isGrpcRequest(request.headers);
    const candidates: Candidate[] = [];
    for (const attached of listener.routes) {
      const rank = hostRank(attached.hostnames.map(normalizeHost), host);
      if (!rank) continue;
      for (const spec of flattenMatches(attached)) {
        if (spec.kind === 'GRPCRoute' && !grpc) continue;
        if (!this.compiles(spec)) continue;
        candidates.push({ spec, attached, hostTier: rank[0], hostLen: rank[1] });
      }
    }
    candidates.sort(compareCandidates);

    const { path, query } = splitTarget(request.path);
    for (const c of candidates) {
      if (!this.holds(c.spec, request, path, query)) continue;
      return this.decide(listener.info, c);
    }
    return { matched: false, reason: 'no-route', listener: listener.info };
  }

  private decide(listener: ListenerInfo, c: Candidate): Decision {
    const rule: RuleInfo = describeRule(c.attached, c.spec.ruleIndex);
    const index = pickWeighted(rule.backends.map((b) => b.weight), this.rng);
    const backend = index >= 0 ? rule.backends[index] : null;
    return {
      matched: true,
      id: c.spec.id,
      listener,
      route: { kind: c.spec.kind, namespace: c.spec.namespace, name: c.spec.name },
      ruleIndex: c.spec.ruleIndex,
      matchIndex: c.spec.matchIndex,
      rule,
      backendIndex: index,
      backend,
      outcome:
        rule.unresolvedFilter !== undefined ? 'unresolved-filter' : backend === null ? 'no-backend' : backend.service ? 'forward' : 'unresolved-backend',
    };
  }

  /** A match whose regular expression the engine rejects never matches (the compiler drops it too). */
  private compiles(spec: MatchSpec): boolean {
    const patterns: string[] = [];
    if (spec.path?.type === 'RegularExpression') patterns.push(spec.path.value);
    if (spec.grpc?.type === 'RegularExpression') patterns.push(...[spec.grpc.service, spec.grpc.method].filter((p): p is string => p !== undefined));
    for (const m of [...spec.headers, ...spec.query]) if (m.type === 'RegularExpression') patterns.push(m.value);
    return patterns.every((p) => {
      let ok = this.regexOk.get(p);
      if (ok === undefined) this.regexOk.set(p, (ok = compileRegex(p).ok));
      return ok;
    });
  }

  private holds(spec: MatchSpec, request: MatchRequest, path: string, query: string | null): boolean {
    if (spec.grpc) {
      const g = spec.grpc;
      if (g.service !== undefined || g.method !== undefined) {
        const parts = grpcPath(path);
        if (!parts) return false;
        if (g.service !== undefined && !valueHolds({ name: '', type: g.type, value: g.service }, parts.service)) return false;
        if (g.method !== undefined && !valueHolds({ name: '', type: g.type, value: g.method }, parts.method)) return false;
      }
    } else {
      const p = spec.path!;
      if (p.type === 'Exact' && path !== p.value) return false;
      if (p.type === 'PathPrefix' && !prefixMatches(p.value, path)) return false;
      if (p.type === 'RegularExpression' && !referenceRegexMatch(p.value, path)) return false;
    }
    if (spec.method !== undefined && request.method !== spec.method) return false;
    for (const h of spec.headers) {
      const v = headerValue(request.headers, h.name);
      if (v === undefined || !valueHolds(h, v)) return false;
    }
    for (const q of spec.query) {
      const v = queryParam(query, q.name);
      if (v === null || !valueHolds(q, v)) return false;
    }
    return true;
  }
}

function valueHolds(m: ValueMatch, value: string): boolean {
  return m.type === 'Exact' ? value === m.value : referenceRegexMatch(m.value, value);
}

/** [tier, length] of the route's best hostname for the host; null when none accepts it. */
function hostRank(hostnames: readonly string[], host: string): [number, number] | null {
  if (hostnames.length === 0) return [2, 0];
  let best: [number, number] | null = null;
  for (const h of hostnames) {
    const suffix = wildcardSuffix(h);
    if (suffix === null) {
      if (h === host) return [0, h.length];
    } else if (suffixMatches(suffix, host) && (!best || suffix.length > best[1])) {
      best = [1, suffix.length];
    }
  }
  return best;
}

function pathClass(spec: MatchSpec): number {
  if (spec.grpc) return -1;
  return spec.path!.type === 'Exact' ? 0 : spec.path!.type === 'RegularExpression' ? 1 : 2;
}

function compareCandidates(a: Candidate, b: Candidate): number {
  const sa = a.spec;
  const sb = b.spec;
  let d = a.hostTier - b.hostTier || b.hostLen - a.hostLen || pathClass(sa) - pathClass(sb);
  if (d) return d;
  if (sa.grpc && sb.grpc) {
    d =
      (sb.grpc.service?.length ?? 0) - (sa.grpc.service?.length ?? 0) ||
      (sb.grpc.method?.length ?? 0) - (sa.grpc.method?.length ?? 0) ||
      (sa.grpc.type === 'Exact' ? 0 : 1) - (sb.grpc.type === 'Exact' ? 0 : 1) ||
      sb.headers.length - sa.headers.length;
  } else {
    const pa = sa.path!;
    const pb = sb.path!;
    d =
      (pa.type === 'Exact' ? 0 : pb.value.length - pa.value.length) ||
      (sb.method ? 1 : 0) - (sa.method ? 1 : 0) ||
      sb.headers.length - sa.headers.length ||
      sb.query.length - sa.query.length;
  }
  if (d) return d;
  const ca = sa.order.created;
  const cb = sb.order.created;
  if (ca !== cb) return ca === null ? 1 : cb === null ? -1 : ca - cb;
  if (sa.order.seq !== sb.order.seq) return sa.order.seq - sb.order.seq;
  if (sa.order.key !== sb.order.key) return sa.order.key < sb.order.key ? -1 : 1;
  if (sa.kind !== sb.kind) return sa.kind < sb.kind ? -1 : 1;
  return sa.ruleIndex - sb.ruleIndex || sa.matchIndex - sb.matchIndex;
}
