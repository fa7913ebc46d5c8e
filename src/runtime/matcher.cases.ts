/**
 * One case suite for every Matcher (the Wasm router and the reference matcher): conformance-
 * style tables and requests with the expected match id. Expectation `null` = no route (404),
 * `'no-listener'` = no listener accepts the request.
 */
import type { Resolution } from '../resolve/types.js';
import { ResolutionBuilder } from './resolution-builder.js';
import type { MatchRequest, Outcome } from './types.js';

export interface CaseRequest {
  request: Partial<MatchRequest> & { path: string };
  expect: string | null | 'no-listener';
  outcome?: Outcome;
  /** Name of the backend the weighted pick must choose. */
  backend?: string;
}

export interface MatcherCase {
  name: string;
  resolution: Pick<Resolution, 'gateways'>;
  requests: CaseRequest[];
}

const GW = 'infra/gw';
const HTTP = `${GW}/http`;
const id = (name: string, rule = 0, match = 0, ns = 'default'): string => `httproute/${ns}/${name}/rule/${rule}/match/${match}`;
const gid = (name: string, rule = 0, match = 0): string => `grpcroute/default/${name}/rule/${rule}/match/${match}`;
const simple = () => new ResolutionBuilder().gateway(GW, [{ name: 'http', port: 80 }]);
const req = (path: string, expect: string | null | 'no-listener', more: Partial<MatchRequest> = {}, extra: Omit<CaseRequest, 'request' | 'expect'> = {}): CaseRequest => ({
  request: { path, ...more },
  expect,
  ...extra,
});
const b1 = [{ name: 'v1' }];

export const MATCHER_CASES: MatcherCase[] = [
  {
    name: 'Exact beats PathPrefix; Exact is case-sensitive without trailing-slash tolerance',
    resolution: simple()
      .httpRoute({ name: 'exact', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/one' } }], backends: b1 }] })
      .httpRoute({ name: 'prefix', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/one' } }], backends: b1 }] })
      .httpRoute({ name: 'root', listeners: [HTTP], rules: [{ backends: b1 }] })
      .build(),
    requests: [
      req('/one', id('exact')),
      req('/one/', id('prefix')),
      req('/one/two', id('prefix')),
      req('/One', id('root')),
      req('/one?x=1', id('exact')),
    ],
  },
  {
    name: 'PathPrefix matches whole segments; a trailing slash in the prefix is ignored',
    resolution: simple()
      .httpRoute({ name: 'v2', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v2' } }], backends: b1 }] })
      .httpRoute({ name: 'v3', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v3/' } }], backends: b1 }] })
      .httpRoute({ name: 'root', listeners: [HTTP], rules: [{ backends: b1 }] })
      .build(),
    requests: [
      req('/v2', id('v2')),
      req('/v2/', id('v2')),
      req('/v2/example', id('v2')),
      req('/v2example', id('root')),
      req('/v3', id('v3')),
      req('/v3/x', id('v3')),
      req('/v3x', id('root')),
      req('/v2//x', id('v2')),
    ],
  },
  {
    name: 'the longest matching prefix wins',
    resolution: simple()
      .httpRoute({ name: 'a', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a' } }], backends: b1 }] })
      .httpRoute({ name: 'ab', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a/b' } }], backends: b1 }] })
      .build(),
    requests: [req('/a/b/c', id('ab')), req('/a/bc', id('a')), req('/a', id('a')), req('/b', null), req('/', null)],
  },
  {
    name: 'method matches outrank header matches; no match of the method falls back',
    resolution: simple()
      .httpRoute({
        name: 'm',
        listeners: [HTTP],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/path5' }, headers: [{ type: 'Exact', name: 'version', value: 'one' }] }], backends: b1 },
          { matches: [{ path: { type: 'PathPrefix', value: '/path5' }, method: 'POST' }], backends: b1 },
          { matches: [{ path: { type: 'PathPrefix', value: '/path5' } }], backends: b1 },
        ],
      })
      .build(),
    requests: [
      req('/path5', id('m', 1), { method: 'POST', headers: { version: 'one' } }),
      req('/path5', id('m', 0), { method: 'GET', headers: { version: 'one' } }),
      req('/path5', id('m', 2), { method: 'GET' }),
      req('/path5', id('m', 1), { method: 'POST' }),
    ],
  },
  {
    name: 'more header matches win; header names are case-insensitive, values exact',
    resolution: simple()
      .httpRoute({
        name: 'h',
        listeners: [HTTP],
        rules: [
          { matches: [{ headers: [{ type: 'Exact', name: 'Version', value: 'one' }] }], backends: b1 },
          { matches: [{ headers: [{ type: 'Exact', name: 'version', value: 'two' }, { type: 'Exact', name: 'color', value: 'blue' }] }], backends: b1 },
          { matches: [{ headers: [{ type: 'RegularExpression', name: 'x-id', value: '[0-9]+' }] }], backends: b1 },
          { backends: b1 },
        ],
      })
      .build(),
    requests: [
      req('/', id('h', 0), { headers: { version: 'one' } }),
      req('/', id('h', 0), { headers: new Headers({ VERSION: 'one' }) }),
      req('/', id('h', 1), { headers: { version: 'two', color: 'blue' } }),
      req('/', id('h', 3), { headers: { version: 'two' } }),
      req('/', id('h', 3), { headers: { version: 'One' } }),
      req('/', id('h', 2), { headers: { 'x-id': '123' } }),
      req('/', id('h', 3), { headers: { 'x-id': '12a' } }),
      req('/', id('h', 3), { headers: { 'x-id': '' } }),
    ],
  },
  {
    name: 'query parameters: case-sensitive names and values, more matches win, first occurrence counts',
    resolution: simple()
      .httpRoute({
        name: 'q',
        listeners: [HTTP],
        rules: [
          { matches: [{ queryParams: [{ type: 'Exact', name: 'animal', value: 'whale' }] }], backends: b1 },
          { matches: [{ queryParams: [{ type: 'Exact', name: 'ANIMAL', value: 'Whale' }] }], backends: b1 },
          { matches: [{ queryParams: [{ type: 'Exact', name: 'animal', value: 'dolphin' }, { type: 'Exact', name: 'color', value: 'blue' }] }], backends: b1 },
          { matches: [{ queryParams: [{ type: 'RegularExpression', name: 'n', value: '[0-9]{2}' }] }], backends: b1 },
          { backends: b1 },
        ],
      })
      .build(),
    requests: [
      req('/?animal=whale', id('q', 0)),
      req('/?ANIMAL=Whale', id('q', 1)),
      req('/?animal=Whale', id('q', 4)),
      req('/?animal=dolphin&color=blue', id('q', 2)),
      req('/?color=blue&animal=dolphin', id('q', 2)),
      req('/?animal=dolphin', id('q', 4)),
      req('/?animal=whale&animal=dolphin', id('q', 0)),
      req('/?n=42', id('q', 3)),
      req('/?n=421', id('q', 4)),
      req('/?animal', id('q', 4)),
    ],
  },
  {
    name: 'RegularExpression paths: full match, after Exact, before every PathPrefix',
    resolution: simple()
      .httpRoute({ name: 'exact', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/r/123' } }], backends: b1 }] })
      .httpRoute({ name: 'regex', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'RegularExpression', value: '/r/[0-9]+' } }], backends: b1 }] })
      .httpRoute({ name: 'longer', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'RegularExpression', value: '/r/[0-9]+/x' } }], backends: b1 }] })
      .httpRoute({ name: 'prefix', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/r/456' } }], backends: b1 }] })
      .build(),
    requests: [
      req('/r/123', id('exact')),
      req('/r/456', id('regex')),
      req('/r/456/x', id('longer')),
      req('/r/456/y', id('prefix')),
      req('/r/abc', null),
      req('/r/456?q=1', id('regex')),
    ],
  },
  {
    name: 'route hostnames: exact, then the longest wildcard, then any host, with fallthrough',
    resolution: simple()
      .httpRoute({ name: 'exact', hostnames: ['foo.example.com'], listeners: [HTTP], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a' } }], backends: b1 }] })
      .httpRoute({ name: 'wild', hostnames: ['*.example.com'], listeners: [HTTP], rules: [{ backends: b1 }] })
      .httpRoute({ name: 'wildfoo', hostnames: ['*.foo.example.com'], listeners: [HTTP], rules: [{ backends: b1 }] })
      .httpRoute({ name: 'any', listeners: [HTTP], rules: [{ backends: b1 }] })
      .build(),
    requests: [
      req('/a', id('exact'), { host: 'foo.example.com' }),
      req('/a', id('exact'), { host: 'FOO.Example.com:8080' }),
      req('/a', id('exact'), { host: 'foo.example.com.' }),
      req('/b', id('wild'), { host: 'foo.example.com' }),
      req('/a', id('wild'), { host: 'bar.example.com' }),
      req('/a', id('wildfoo'), { host: 'x.foo.example.com' }),
      req('/a', id('wild'), { host: 'x.y.example.com' }),
      req('/a', id('any'), { host: 'example.com' }),
      req('/a', id('any'), { host: 'other.org' }),
      req('/a', id('any'), { host: '[::1]:80' }),
    ],
  },
  {
    name: 'listener isolation (GatewayHTTPListenerIsolation)',
    resolution: new ResolutionBuilder()
      .gateway(GW, [
        { name: 'empty', port: 80 },
        { name: 'wild', port: 80, hostname: '*.example.com' },
        { name: 'wildfoo', port: 80, hostname: '*.foo.example.com' },
        { name: 'abc', port: 80, hostname: 'abc.foo.example.com' },
      ])
      .httpRoute({ name: 'e', hostnames: ['bar.com', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'], listeners: [`${GW}/empty`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/empty-hostname' } }], backends: b1 }] })
      .httpRoute({ name: 'w', hostnames: ['bar.com', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'], listeners: [`${GW}/wild`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/wildcard-example-com' } }], backends: b1 }] })
      .httpRoute({ name: 'wf', hostnames: ['bar.com', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'], listeners: [`${GW}/wildfoo`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/wildcard-foo-example-com' } }], backends: b1 }] })
      .httpRoute({ name: 'a', hostnames: ['bar.com', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'], listeners: [`${GW}/abc`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/abc-foo-example-com' } }], backends: b1 }] })
      .build(),
    requests: [
      req('/empty-hostname', id('e'), { host: 'bar.com' }),
      req('/wildcard-example-com', null, { host: 'bar.com' }),
      req('/empty-hostname', null, { host: 'bar.example.com' }),
      req('/wildcard-example-com', id('w'), { host: 'bar.example.com' }),
      req('/wildcard-foo-example-com', null, { host: 'bar.example.com' }),
      req('/wildcard-example-com', null, { host: 'bar.foo.example.com' }),
      req('/wildcard-foo-example-com', id('wf'), { host: 'bar.foo.example.com' }),
      req('/wildcard-foo-example-com', null, { host: 'abc.foo.example.com' }),
      req('/abc-foo-example-com', id('a'), { host: 'abc.foo.example.com' }),
      req('/empty-hostname', 'no-listener', { host: 'bar.com', port: 8080 }),
    ],
  },
  {
    name: 'listener hostnames (HTTPRouteListenerHostnameMatching)',
    resolution: new ResolutionBuilder()
      .gateway(GW, [
        { name: 'l1', port: 80, hostname: 'bar.com' },
        { name: 'l2', port: 80, hostname: 'foo.bar.com' },
        { name: 'l3', port: 80, hostname: '*.bar.com' },
        { name: 'l4', port: 80, hostname: '*.foo.com' },
      ])
      .httpRoute({ name: 'v1', listeners: [`${GW}/l1`], rules: [{ backends: b1 }] })
      .httpRoute({ name: 'v2', listeners: [`${GW}/l2`], rules: [{ backends: b1 }] })
      .httpRoute({ name: 'v3', listeners: [`${GW}/l3`, `${GW}/l4`], rules: [{ backends: b1 }] })
      .build(),
    requests: [
      req('/', id('v1'), { host: 'bar.com' }),
      req('/', id('v2'), { host: 'foo.bar.com' }),
      req('/', id('v3'), { host: 'baz.bar.com' }),
      req('/', id('v3'), { host: 'multiple.prefixes.bar.com' }),
      req('/', id('v3'), { host: 'multiple.prefixes.foo.com' }),
      req('/', 'no-listener', { host: 'foo.com' }),
      req('/', 'no-listener', { host: 'no.matching.host' }),
    ],
  },
  {
    name: 'hostname intersection (HTTPRouteHostnameIntersection)',
    resolution: new ResolutionBuilder()
      .gateway(GW, [
        { name: 'l1', port: 80, hostname: 'very.specific.com' },
        { name: 'l2', port: 80, hostname: '*.wildcard.io' },
        { name: 'l3', port: 80, hostname: '*.anotherwildcard.io' },
      ])
      .httpRoute({ name: 's1', hostnames: ['non.matching.com', '*.nonmatchingwildcard.io', 'very.specific.com'], listeners: [`${GW}/l1`, `${GW}/l2`, `${GW}/l3`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/s1' } }], backends: b1 }] })
      .httpRoute({ name: 's2', hostnames: ['non.matching.com', 'wildcard.io', 'foo.wildcard.io', 'bar.wildcard.io', 'foo.bar.wildcard.io'], listeners: [`${GW}/l1`, `${GW}/l2`, `${GW}/l3`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/s2' } }], backends: b1 }] })
      .httpRoute({ name: 's3', hostnames: ['non.matching.com', '*.specific.com'], listeners: [`${GW}/l1`, `${GW}/l2`, `${GW}/l3`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/s3' } }], backends: b1 }] })
      .httpRoute({ name: 's4', hostnames: ['*.anotherwildcard.io'], listeners: [`${GW}/l1`, `${GW}/l2`, `${GW}/l3`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/s4' } }], backends: b1 }] })
      .build(),
    requests: [
      req('/s1', id('s1'), { host: 'very.specific.com' }),
      req('/s1', id('s1'), { host: 'very.specific.com:1234' }),
      req('/s1', null, { host: 'foo.wildcard.io' }),
      req('/s2', id('s2'), { host: 'foo.bar.wildcard.io' }),
      req('/s2', 'no-listener', { host: 'wildcard.io' }),
      req('/s2', null, { host: 'very.specific.com' }),
      req('/s3', id('s3'), { host: 'very.specific.com' }),
      req('/s3', 'no-listener', { host: 'foo.specific.com' }),
      req('/s4', id('s4'), { host: 'foo.bar.anotherwildcard.io' }),
      req('/s4', null, { host: 'foo.wildcard.io' }),
    ],
  },
  {
    name: 'ties: older creationTimestamp, then load order, then namespace/name, then rule order',
    resolution: simple()
      .httpRoute({ name: 'young', created: '2024-01-02T00:00:00Z', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/t' } }], backends: b1 }] })
      .httpRoute({ name: 'old', created: '2024-01-01T00:00:00Z', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/t' } }], backends: b1 }] })
      .httpRoute({ name: 'z-first-loaded', seq: 1, listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/s' } }], backends: b1 }] })
      .httpRoute({ name: 'a-second-loaded', seq: 2, listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/s' } }], backends: b1 }] })
      .httpRoute({ namespace: 'b', name: 'same', seq: 5, listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/n' } }], backends: b1 }] })
      .httpRoute({ namespace: 'a', name: 'same', seq: 5, listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/n' } }], backends: b1 }] })
      .httpRoute({ name: 'rules', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: '/r' } }, { path: { type: 'Exact', value: '/r' } }], backends: b1 }, { matches: [{ path: { type: 'Exact', value: '/r' } }], backends: b1 }] })
      .build(),
    requests: [req('/t', id('old')), req('/s', id('z-first-loaded')), req('/n', id('same', 0, 0, 'a')), req('/r', id('rules', 0, 0))],
  },
  {
    name: 'weights: 0 is never chosen; all-zero weights and empty backends answer 500; an unresolved backend takes its share',
    resolution: simple()
      .httpRoute({
        name: 'w',
        listeners: [HTTP],
        rules: [
          { matches: [{ path: { type: 'Exact', value: '/zero' } }], backends: [{ name: 'never', weight: 0 }, { name: 'always', weight: 3 }] },
          { matches: [{ path: { type: 'Exact', value: '/allzero' } }], backends: [{ name: 'a', weight: 0 }, { name: 'b', weight: 0 }] },
          { matches: [{ path: { type: 'Exact', value: '/none' } }] },
          { matches: [{ path: { type: 'Exact', value: '/bad' } }], backends: [{ name: 'missing', weight: 1, problem: 'BackendNotFound' }] },
        ],
      })
      .build(),
    requests: [
      ...Array.from({ length: 20 }, () => req('/zero', id('w', 0), {}, { outcome: 'forward', backend: 'always' })),
      req('/allzero', id('w', 1), {}, { outcome: 'no-backend' }),
      req('/none', id('w', 2), {}, { outcome: 'no-backend' }),
      req('/bad', id('w', 3), {}, { outcome: 'unresolved-backend', backend: 'missing' }),
    ],
  },
  {
    name: 'GRPCRoute: service and method matches for gRPC requests only, before HTTPRoutes',
    resolution: simple()
      .grpcRoute({ name: 'exact', listeners: [HTTP], rules: [{ matches: [{ method: { type: 'Exact', service: 'pkg.Echo', method: 'Ping' } }], backends: b1 }] })
      .grpcRoute({ name: 'svc', listeners: [HTTP], rules: [{ matches: [{ method: { type: 'Exact', service: 'pkg.Echo' } }], backends: b1 }] })
      .grpcRoute({ name: 'regex', listeners: [HTTP], rules: [{ matches: [{ method: { type: 'RegularExpression', service: 'pkg\\.[A-Z][a-z]+', method: 'Get.*' } }], backends: b1 }] })
      .httpRoute({ name: 'http', listeners: [HTTP], rules: [{ backends: b1 }] })
      .build(),
    requests: [
      req('/pkg.Echo/Ping', gid('exact'), { method: 'POST', headers: { 'content-type': 'application/grpc' } }),
      req('/pkg.Echo/Pong', gid('svc'), { method: 'POST', headers: { 'content-type': 'application/grpc+proto' } }),
      req('/pkg.Store/GetItem', gid('regex'), { method: 'POST', headers: { 'content-type': 'application/grpc' } }),
      req('/pkg.Store/PutItem', id('http'), { method: 'POST', headers: { 'content-type': 'application/grpc' } }),
      req('/pkg.Echo/Ping', id('http'), { method: 'POST', headers: { 'content-type': 'application/json' } }),
      req('/pkg.Echo/Ping/extra', id('http'), { method: 'POST', headers: { 'content-type': 'application/grpc' } }),
    ],
  },
];
