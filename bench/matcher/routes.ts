/**
 * The route tables and lookups of the matcher benchmark (the shape of
 * /work/shared/design/performance.md §1.2).
 *
 * Route i (0 <= i < N) lives in group team⌊i/10⌋: even i is an Exact route
 * `/api/v1/team{t}/svc{i}/status`, odd i a PathPrefix route `/api/v1/team{t}/svc{i}` with
 * Gateway API segment-boundary semantics. Every router gets its closest native encoding of the
 * same table (see adapters.ts); every answer is the route number i, or -1 for no route.
 *
 * The "full" variant is the same path table written as Gateway API matches that also inspect
 * the host (route hostnames), the method, two headers (one Exact, one RegularExpression) and
 * one query parameter, plus a few RegularExpression path routes: only the Switchyard core and
 * the reference matcher express it.
 */
import type { Resolution } from '../../src/resolve/types.js';
import { ResolutionBuilder } from '../../src/runtime/resolution-builder.js';
import type { MatchRequest } from '../../src/runtime/types.js';

export const GATEWAY = 'bench/gw';
export const PORT = 80;
export const HOST = 'example.com';
export const FULL_HOST = 'api.example.com';

export interface RouteDef {
  index: number;
  type: 'Exact' | 'PathPrefix';
  /** Exact path, or the prefix without trailing `/`. */
  path: string;
}

export function routeDefs(n: number): RouteDef[] {
  const out: RouteDef[] = [];
  for (let i = 0; i < n; i++) {
    const base = `/api/v1/team${Math.floor(i / 10)}/svc${i}`;
    out.push(i % 2 === 0 ? { index: i, type: 'Exact', path: `${base}/status` } : { index: i, type: 'PathPrefix', path: base });
  }
  return out;
}

/** Route name of route i; the adapters answer i, the Switchyard matchers answer `r{i}`. */
export const routeName = (i: number): string => `r${i}`;

/** Predicates every route of the full variant carries (M3: method + 2 headers + 1 query). */
export const FULL_PREDICATES = {
  method: 'GET' as const,
  headers: [
    { type: 'Exact' as const, name: 'x-tenant', value: 'blue' },
    { type: 'RegularExpression' as const, name: 'x-version', value: 'v[0-9]+' },
  ],
  queryParams: [{ type: 'Exact' as const, name: 'debug', value: '0' }],
};

/** RegularExpression path routes of the full variant (answers -1 for the workloads below). */
export const FULL_REGEX_ROUTES = 4;

export function resolution(n: number, full: boolean): Pick<Resolution, 'gateways'> {
  const b = new ResolutionBuilder().gateway(GATEWAY, [{ name: 'http', port: PORT }]);
  const listeners = [`${GATEWAY}/http`];
  for (const r of routeDefs(n)) {
    b.httpRoute({
      name: routeName(r.index),
      listeners,
      ...(full ? { hostnames: [FULL_HOST] } : {}),
      rules: [
        {
          matches: [{ path: { type: r.type, value: r.path }, ...(full ? FULL_PREDICATES : {}) }],
          backends: [{ name: `svc${r.index}` }],
        },
      ],
    });
  }
  if (full) {
    for (let k = 0; k < FULL_REGEX_ROUTES; k++) {
      b.httpRoute({
        name: `regex${k}`,
        listeners,
        hostnames: [FULL_HOST],
        rules: [{ matches: [{ path: { type: 'RegularExpression', value: `/files${k}/[a-z0-9]+\\.(png|jpe?g)` } }], backends: [{ name: `files${k}` }] }],
      });
    }
  }
  return b.build();
}

export const WORKLOADS = ['hit-exact', 'hit-prefix-deep', 'miss', 'miss-boundary', 'mixed'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface Lookup {
  path: string;
  /** The route number every correct router answers; -1 = no route. */
  expected: number;
}

const team = (i: number): number => Math.floor(i / 10);
const deep = (i: number): string => `/api/v1/team${team(i)}/svc${i}/a/b/c/d/e/f/g/h`;
const exact = (i: number): string => `/api/v1/team${team(i)}/svc${i}/status`;
const boundary = (i: number): string => `/api/v1/team${team(i)}/svc${i}x/a`;

/** Nearest route number >= i (wrapping) with the wanted parity: 0 Exact, 1 PathPrefix. */
function withParity(n: number, i: number, parity: number): number {
  let j = i % n;
  if (j % 2 !== parity) j = j + 1 < n ? j + 1 : j - 1;
  return j;
}

/**
 * The lookups of one workload. Single-lookup workloads use the route in the middle of the
 * table; `mixed` cycles 256 distinct paths: 50% deep prefix hits, 25% exact hits, 25%
 * boundary misses.
 */
export function lookups(n: number, workload: Workload): Lookup[] {
  const mid = Math.floor(n / 2);
  const odd = withParity(n, mid, 1);
  const even = withParity(n, mid, 0);
  switch (workload) {
    case 'hit-exact':
      return [{ path: exact(even), expected: even }];
    case 'hit-prefix-deep':
      return [{ path: deep(odd), expected: odd }];
    case 'miss':
      return [{ path: `/static/assets/app.${mid}.js`, expected: -1 }];
    case 'miss-boundary':
      return [{ path: boundary(odd), expected: -1 }];
    case 'mixed': {
      const out: Lookup[] = [];
      for (let k = 0; k < 256; k++) {
        const i = (mid + k * 7) % n;
        const kind = k % 4;
        if (kind < 2) {
          const j = withParity(n, i, 1);
          out.push({ path: deep(j), expected: j });
        } else if (kind === 2) {
          const j = withParity(n, i, 0);
          out.push({ path: exact(j), expected: j });
        } else {
          out.push({ path: boundary(withParity(n, i, 1)), expected: -1 });
        }
      }
      return out;
    }
  }
}

/** The request of a lookup: path-only (plain host, GET) or full (host, method, headers, query). */
export function request(path: string, full: boolean): MatchRequest {
  return full
    ? { method: 'GET', host: FULL_HOST, path: `${path}?debug=0`, port: PORT, headers: FULL_HEADERS }
    : { method: 'GET', host: HOST, path, port: PORT };
}

export const FULL_HEADERS = Object.freeze({ 'x-tenant': 'blue', 'x-version': 'v2', accept: '*/*', 'user-agent': 'bench' });
