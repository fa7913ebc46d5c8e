/**
 * fast-check generator of Scenarios: small alphabets for hostnames, path segments, header and
 * query names and values, so routes collide and precedence decides; plus awkward paths
 * (empty segments, trailing slashes, dots, percent signs, non-ASCII, `?` without query).
 */
import fc from 'fast-check';
import type { GRPCRouteMatch, HTTPHeaderMatch, HTTPRouteMatch } from '../model/gateway-api.js';
import type { BackendSpec, RouteSpec, RuleSpec } from './resolution-builder.js';
import { SCENARIO_GATEWAY, type Scenario } from './scenario.js';

const SEGMENTS = ['a', 'b', 'ab', 'v1', '', '..', '%2F', 'é', 'a.b'];
const REGEXES = ['/a.*', '/[ab]+', '/a/[0-9]+', '.*', '/(a|b)/?', '/v1(/.*)?', '[^/]*', '/é.*'];
const HOSTS = ['a.com', 'b.a.com', 'c.b.a.com', 'x.org'];
const ROUTE_HOSTNAMES = ['a.com', 'b.a.com', '*.a.com', '*.b.a.com', 'x.org', '*.org'];
const LISTENER_HOSTNAMES = [undefined, undefined, undefined, undefined, 'a.com', '*.a.com', 'b.a.com', '*.b.a.com'];
const HEADER_NAMES = ['x-a', 'X-A', 'x-b'];
const VALUES = ['1', '2', '', '12'];
const VALUE_REGEXES = ['[12]', '1.*', '[0-9]*'];
const QUERY_NAMES = ['q', 'Q', 'r'];
const TIMESTAMPS = [undefined, '2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z'];

const path = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 4 })
  .chain((segs) => fc.constantFrom('/' + segs.join('/'), '/' + segs.join('/') + '/'));

const valueMatch = (names: readonly string[]): fc.Arbitrary<HTTPHeaderMatch> =>
  fc.oneof(
    fc.record({ type: fc.constant('Exact' as const), name: fc.constantFrom(...names), value: fc.constantFrom(...VALUES) }),
    fc.record({ type: fc.constant('RegularExpression' as const), name: fc.constantFrom(...names), value: fc.constantFrom(...VALUE_REGEXES) }),
  );

const httpMatch: fc.Arbitrary<Partial<HTTPRouteMatch>> = fc.record(
  {
    path: fc.oneof(
      fc.record({ type: fc.constant('Exact' as const), value: path }),
      fc.record({ type: fc.constant('PathPrefix' as const), value: path }),
      fc.record({ type: fc.constant('RegularExpression' as const), value: fc.constantFrom(...REGEXES) }),
    ),
    method: fc.constantFrom('GET' as const, 'POST' as const),
    headers: fc.array(valueMatch(HEADER_NAMES), { maxLength: 2 }),
    queryParams: fc.array(valueMatch(QUERY_NAMES), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const grpcMatch: fc.Arbitrary<GRPCRouteMatch> = fc.record(
  {
    method: fc.oneof(
      fc.record({ type: fc.constant('Exact' as const), service: fc.constantFrom('a', 'ab', 'v1'), method: fc.constantFrom('a', 'b') }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('RegularExpression' as const), service: fc.constantFrom('a.*', '[ab]+'), method: fc.constantFrom('.*', 'b') }, { requiredKeys: ['type'] }),
    ),
    headers: fc.array(valueMatch(HEADER_NAMES), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const backends: fc.Arbitrary<BackendSpec[]> = fc.array(
  fc.record(
    {
      name: fc.constantFrom('s1', 's2', 's3'),
      weight: fc.constantFrom(0, 1, 2, 5),
      problem: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant('BackendNotFound' as const) }),
    },
    { requiredKeys: ['name', 'weight'] },
  ).map(({ problem, ...b }) => (problem ? { ...b, problem } : b)),
  { maxLength: 3 },
);

const rule = <M>(match: fc.Arbitrary<M>): fc.Arbitrary<RuleSpec<M>> =>
  fc.record({ matches: fc.array(match, { maxLength: 3 }), backends }, { requiredKeys: ['backends'] });

const routeBody = <M>(match: fc.Arbitrary<M>, listenerCount: number): fc.Arbitrary<Omit<RouteSpec<M>, 'name'>> =>
  fc.record(
    {
      namespace: fc.constantFrom('a', 'b'),
      created: fc.constantFrom(...TIMESTAMPS),
      seq: fc.nat(3),
      hostnames: fc.uniqueArray(fc.constantFrom(...ROUTE_HOSTNAMES), { maxLength: 3 }),
      listeners: fc
        .uniqueArray(fc.nat(listenerCount - 1), { minLength: 1, maxLength: listenerCount })
        .map((ix) => ix.map((i) => `${SCENARIO_GATEWAY}/l${i}`)),
      rules: fc.array(rule(match), { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ['namespace', 'seq', 'listeners', 'rules'] },
  ).map((r) => ({ ...r, created: r.created ?? undefined }));

const host = fc
  .tuple(fc.constantFrom(...HOSTS), fc.constantFrom('', ':8080', '.'), fc.boolean())
  .map(([h, suffix, upper]) => (upper ? h.toUpperCase() : h) + suffix);

const query = fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.constantFrom(...VALUES, null)), { maxLength: 3 }).map((pairs) =>
  pairs.map(([n, v]) => (v === null ? n : `${n}=${v}`)).join('&'),
);

const request = (ports: number[]) =>
  fc
    .record({
      method: fc.constantFrom('GET', 'POST'),
      host,
      path: fc.tuple(path, fc.constantFrom('', '?'), query).map(([p, q, s]) => (q ? `${p}?${s}` : p)),
      port: fc.constantFrom(...ports),
      headers: fc.dictionary(fc.constantFrom('x-a', 'x-b', 'content-type'), fc.constantFrom(...VALUES, 'application/grpc', 'application/grpc'), { maxKeys: 3 }),
    })
    .map((r) => ({ ...r, headers: { ...r.headers } }));

export function scenarioArbitrary(requestsPerScenario: number): fc.Arbitrary<Scenario> {
  return fc
    .array(
      fc.record({ port: fc.constantFrom(80, 80, 80, 81), hostname: fc.constantFrom(...LISTENER_HOSTNAMES), ready: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) } as const),
      { minLength: 1, maxLength: 3 },
    )
    .chain((ls) => {
      const listeners = ls.map((l, i) => ({ name: `l${i}`, port: l.port, ready: l.ready, ...(l.hostname ? { hostname: l.hostname } : {}) }));
      const route = fc.oneof(
        { weight: 5, arbitrary: routeBody(httpMatch, listeners.length).map((spec) => ({ kind: 'HTTPRoute' as const, spec })) },
        { weight: 1, arbitrary: routeBody(grpcMatch, listeners.length).map((spec) => ({ kind: 'GRPCRoute' as const, spec })) },
      );
      return fc.record({
        listeners: fc.constant(listeners),
        routes: fc.array(route, { minLength: 1, maxLength: 8 }).map((rs) => rs.map((r, i) => ({ ...r, spec: { ...r.spec, name: `r${i}` } })) as Scenario['routes']),
        requests: fc.array(request([80, 80, 80, 81]), { minLength: requestsPerScenario, maxLength: requestsPerScenario }),
        seed: fc.nat(),
      });
    });
}
