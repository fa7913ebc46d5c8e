/**
 * What a TCP, TLS or UDP socket serves: its listeners with their attached TCPRoutes, TLSRoutes
 * or UDPRoutes, reduced to what connections are routed by.
 *
 * - TLS listeners on one socket are chosen by the SNI server name the way HTTPS listeners are
 *   (exact hostname, then the longest matching wildcard, then a listener without hostname);
 *   inside the listener the route whose effective hostnames contain the name exactly wins, then
 *   the one with the longest matching wildcard, then a route that accepts any name; ties go to
 *   the older route (the resolver lists attached routes oldest first).
 * - TCP and UDP listeners carry no hostname: the oldest attached route takes every connection
 *   (two routes on one listener are both accepted, but only one can receive the traffic).
 * - A route's backends are the backendRefs of all its rules, in order, with their weights; the
 *   pick per connection (UDP: per client session) is the core's weighted pick (xorshift32,
 *   `next() % total`, weight 0 never chosen). No backend with weight, or a picked reference that
 *   does not resolve, refuses the connection.
 */
import { randomInt } from 'node:crypto';
import { listenerScore, normalizeHost, suffixMatches, wildcardSuffix } from '../../src/compile/hostnames.js';
import { pickWeighted, XorShift32 } from '../../src/reference/prng.js';
import type { AttachedRoute, ResolvedCertificate, ResolvedListener } from '../../src/resolve/types.js';

export interface L4Backend {
  /** Relative weight (0: never picked). */
  weight: number;
  /** The Service port when the reference resolves. */
  service?: { namespace: string; name: string; port: number };
  /** Why it does not resolve (connections given to it are refused). */
  problem?: string;
}

export interface L4Route {
  /** `tcproute/<ns>/<name>` (tlsroute/…, udproute/…). */
  id: string;
  /** Effective hostnames (TLSRoute only); empty accepts any server name. */
  hostnames: string[];
  backends: L4Backend[];
}

export interface L4Listener {
  /** `namespace/name` of the Gateway. */
  gateway: string;
  /** Listener name (ListenerSet listeners qualified like in the route table). */
  name: string;
  protocol: 'TCP' | 'TLS' | 'UDP';
  hostname?: string;
  /** TLS listeners: Passthrough forwards the TLS stream as is; Terminate decrypts with `certificates`. */
  mode?: 'Passthrough' | 'Terminate';
  certificates: ResolvedCertificate[];
  /** Attached routes, oldest first. */
  routes: L4Route[];
}

export const L4_PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'TLS', 'UDP']);

const ROUTE_KIND_OF: Readonly<Record<string, string>> = { TCP: 'TCPRoute', TLS: 'TLSRoute', UDP: 'UDPRoute' };

function routeId(attached: AttachedRoute): string {
  return `${attached.kind.toLowerCase()}/${attached.route.metadata.namespace ?? 'default'}/${attached.route.metadata.name}`;
}

/** The listener as an L4 socket serves it (only the route kind of its protocol is kept). */
export function l4Listener(gateway: string, name: string, l: ResolvedListener): L4Listener {
  const protocol = l.protocol as L4Listener['protocol'];
  const kind = ROUTE_KIND_OF[protocol];
  const routes: L4Route[] = [];
  for (const attached of l.routes) {
    if (attached.kind !== kind) continue;
    const backends: L4Backend[] = [];
    for (const rule of attached.rules) {
      for (const b of rule.backends) {
        const t = b.target;
        backends.push(
          'service' in t
            ? { weight: b.weight, service: { namespace: t.service.metadata.namespace ?? 'default', name: t.service.metadata.name, port: t.port.port } }
            : { weight: b.weight, problem: `${t.problem}: ${t.message}` },
        );
      }
    }
    routes.push({ id: routeId(attached), hostnames: attached.hostnames.map((h) => h.toLowerCase()), backends });
  }
  return {
    gateway,
    name,
    protocol,
    ...(l.hostname ? { hostname: l.hostname.toLowerCase() } : {}),
    ...(l.tls ? { mode: l.tls.mode } : {}),
    certificates: l.tls?.certificates ?? [],
    routes,
  };
}

/** The listener an SNI name (or none) selects among `listeners`; null when none accepts it. */
export function listenerForServerName(listeners: readonly L4Listener[], serverName: string | undefined): L4Listener | null {
  const host = serverName === undefined ? '' : normalizeHost(serverName);
  let best: L4Listener | null = null;
  let bestScore = 0;
  for (const l of listeners) {
    const score = listenerScore(l.hostname, host);
    if (score > bestScore) {
      best = l;
      bestScore = score;
    }
  }
  return best;
}

/** How specifically a route's hostnames accept `host`: exact > longest wildcard > any; 0 = not at all. */
function routeScore(route: L4Route, host: string): number {
  if (route.hostnames.length === 0) return 1;
  let best = 0;
  for (const h of route.hostnames) {
    const suffix = wildcardSuffix(h);
    const score = suffix === null ? (h === host ? (1 << 20) + h.length : 0) : suffixMatches(suffix, host) ? (1 << 19) + suffix.length : 0;
    if (score > best) best = score;
  }
  return best;
}

/** The route of `listener` for a server name (TLS), or its oldest route (TCP, UDP). */
export function routeFor(listener: L4Listener, serverName: string | undefined): L4Route | null {
  if (listener.protocol !== 'TLS') return listener.routes[0] ?? null;
  const host = serverName === undefined ? '' : normalizeHost(serverName);
  let best: L4Route | null = null;
  let bestScore = 0;
  for (const r of listener.routes) {
    const score = routeScore(r, host);
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

export type BackendPick = { ok: true; backend: L4Backend & { service: NonNullable<L4Backend['service']> } } | { ok: false; reason: string };

/** A weighted pick among the route's backends with the core's generator. */
export class BackendPicker {
  private readonly rng = new XorShift32();

  constructor(seed = randomInt(1, 0xffffffff)) {
    this.rng.seed(seed);
  }

  pick(route: L4Route): BackendPick {
    const index = pickWeighted(
      route.backends.map((b) => b.weight),
      this.rng,
    );
    if (index < 0) return { ok: false, reason: `${route.id} has no backend with a weight` };
    const backend = route.backends[index]!;
    if (!backend.service) return { ok: false, reason: `${route.id}: ${backend.problem ?? 'unresolved backend'}` };
    return { ok: true, backend: backend as L4Backend & { service: NonNullable<L4Backend['service']> } };
  }
}
