/**
 * Hostname intersection between a listener and a route (HTTPRoute, GRPCRoute, TLSRoute).
 *
 * A wildcard `*.example.com` matches any name with at least one more label
 * (`foo.example.com`, `foo.bar.example.com`) but never `example.com` itself. The effective
 * hostnames of a route on a listener are, for every route hostname: the route hostname when the
 * listener's covers it, the listener hostname when the route's covers it (a route
 * `*.example.com` on a listener `foo.example.com` serves only `foo.example.com`).
 */

/** Whether `pattern` (an exact name or a `*.` wildcard) covers `name` (an exact name or a wildcard). */
export function hostnameCovers(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  if (p === n) return true;
  if (!p.startsWith('*.')) return false;
  const suffix = p.slice(1); // ".example.com"
  const rest = n.startsWith('*.') ? n.slice(1) : n;
  return rest.length > suffix.length && rest.endsWith(suffix);
}

export interface HostnameIntersection {
  /** False when the route names hostnames and none of them intersects the listener's. */
  matches: boolean;
  /** Effective hostnames; empty means any host (neither side restricts). */
  hostnames: string[];
}

export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[] | undefined): HostnameIntersection {
  const route = routeHostnames ?? [];
  if (!listenerHostname) return { matches: true, hostnames: dedupe(route) };
  if (route.length === 0) return { matches: true, hostnames: [listenerHostname] };
  const out: string[] = [];
  for (const h of route) {
    if (hostnameCovers(listenerHostname, h)) out.push(h);
    else if (hostnameCovers(h, listenerHostname)) out.push(listenerHostname);
  }
  const hostnames = dedupe(out);
  return { matches: hostnames.length > 0, hostnames };
}

/** Whether two listener hostnames (unset = every host) can both match one request host. */
export function hostnamesOverlap(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return true;
  return hostnameCovers(a, b) || hostnameCovers(b, a);
}

function dedupe(list: readonly string[]): string[] {
  return [...new Set(list)];
}
