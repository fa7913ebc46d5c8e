import { describe, expect, it } from 'vitest';
import type { HTTPRouteFilter } from '../../model/gateway-api.js';
import { editResponse, hasResponseFilters, planRequest, RecordHeaders, type RequestHead } from './index.js';
import { backend, decision, head, headerFilter, mirror, mirrorEntry } from './testing.js';

const never = (): number => {
  throw new Error('unexpected draw');
};
const redirect: HTTPRouteFilter = { type: 'RequestRedirect', requestRedirect: { hostname: 'example.org', statusCode: 301 } };
const corsFilter: HTTPRouteFilter = { type: 'CORS', cors: { allowOrigins: ['https://app.example'], maxAge: 5 } };
const preflight = () => head('/', { origin: 'https://app.example', 'access-control-request-method': 'PUT' }, { method: 'OPTIONS' });

describe('planRequest: answers', () => {
  it('answers 500 for decisions that cannot be forwarded', () => {
    expect(planRequest(decision({ unresolvedFilter: 'ExtensionRef x' }), head('/'), never).respond?.status).toBe(500);
    expect(planRequest(decision({ backends: [] }), head('/'), never).respond?.status).toBe(500);
    expect(planRequest(decision({ backends: [backend('gone', [], false)] }), head('/'), never).respond?.status).toBe(500);
    expect(planRequest(decision({ filters: [{ type: 'ExternalAuth' }] as HTTPRouteFilter[] }), head('/'), never).respond?.status).toBe(500);
  });

  it('redirects from a rule without backends, and sends nothing upstream or to mirrors', () => {
    const h = head('/p');
    const plan = planRequest(decision({ backends: [], filters: [mirror('m'), redirect], filterBackends: [mirrorEntry(0, backend('m'))] }), h, never);
    expect(plan.respond).toEqual({ status: 301, headers: [['location', 'http://example.org/p']] });
    expect(plan.mirrors).toEqual([]);
    expect(plan.upstream).toBe(h);
  });

  it('answers a CORS preflight before a redirect, whatever the order of the filters', () => {
    const d = decision({ backends: [], filters: [redirect, corsFilter] });
    expect(planRequest(d, preflight(), never).respond?.status).toBe(204);
    expect(planRequest(d, head('/', { origin: 'https://app.example' }, { method: 'OPTIONS' }), never).respond?.status).toBe(301);
  });

  it('forwards a preflight when the rule has no CORS filter', () => {
    const plan = planRequest(decision(), preflight(), never);
    expect(plan.respond).toBeUndefined();
    expect(plan.upstream.method).toBe('OPTIONS');
  });
});

describe('planRequest: forwarding', () => {
  it('shares the input headers when no filter changes them, and never modifies the input', () => {
    const h = head('/a?q', { x: '1' });
    const untouched = planRequest(decision(), h, never);
    expect(untouched.upstream.headers).toBe(h.headers);
    expect(untouched.upstream).not.toBe(h);

    const changed = planRequest(decision({ filters: [headerFilter('RequestHeaderModifier', { set: [['x', '2']], remove: ['host'] })] }), h, never);
    expect(changed.upstream.headers).not.toBe(h.headers);
    expect([changed.upstream.headers.get('x'), h.headers.get('x')]).toEqual(['2', '1']);

    const rewritten = planRequest(decision({ filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'in.example' } }] }), h, never);
    expect([rewritten.upstream.authority, rewritten.upstream.headers.get('host')]).toEqual(['in.example', 'in.example']);
    expect([h.authority, h.headers.get('host'), h.path]).toEqual(['gw.example', 'gw.example', '/a?q']);
  });

  it('runs the rule filters, then the picked backend filters', () => {
    const d = decision({
      filters: [headerFilter('RequestHeaderModifier', { set: [['x-order', 'rule']] })],
      backends: [backend('a', [headerFilter('RequestHeaderModifier', { add: [['x-order', 'a']] })]), backend('b', [headerFilter('RequestHeaderModifier', { add: [['x-order', 'b']] })])],
      pick: 1,
    });
    expect(planRequest(d, head('/'), never).upstream.headers.get('x-order')).toBe('rule,b');
  });

  it('rewrites by the path match that selected the rule', () => {
    const d = decision({
      filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } }],
      matchPaths: [{ type: 'PathPrefix', value: '/first' }, { type: 'PathPrefix', value: '/api/v1' }],
      matchIndex: 1,
    });
    expect(planRequest(d, head('/api/v1/users?id=3'), never).upstream.path).toBe('/v2/users?id=3');
  });

  it('gives each mirror the request as it stands at the mirror position, in its own copy', () => {
    const d = decision({
      filters: [mirror('before'), headerFilter('RequestHeaderModifier', { set: [['x-mod', 'yes']] }), mirror('after'), mirror('gone')],
      filterBackends: [mirrorEntry(0, backend('before')), mirrorEntry(2, backend('after')), mirrorEntry(3, backend('gone', [], false))],
    });
    const plan = planRequest(d, head('/m', { 'x-orig': 'o' }), never);
    expect(plan.mirrors.map((m) => [m.backend.name, m.head.headers.get('x-mod'), m.head.headers.get('x-orig')])).toEqual([
      ['before', null, 'o'],
      ['after', 'yes', 'o'],
    ]);
    plan.upstream.headers.set('x-forwarded-for', '10.0.0.1');
    plan.mirrors[0].head.headers.set('x-mirror', '1');
    expect(plan.mirrors.map((m) => m.head.headers.has('x-forwarded-for'))).toEqual([false, false]);
    expect(plan.upstream.headers.has('x-mirror')).toBe(false);
    expect(new Set(plan.mirrors.map((m) => m.head.headers)).size).toBe(2);
  });

  it('samples each partial mirror with one draw, in filter order', () => {
    const d = decision({
      filters: [mirror('all'), mirror('p30', { percent: 30 }), mirror('f50', { fraction: { numerator: 1, denominator: 2 } })],
      filterBackends: [mirrorEntry(0, backend('all')), mirrorEntry(1, backend('p30')), mirrorEntry(2, backend('f50'))],
    });
    const draws = [0.5, 0.25];
    const random = () => draws.shift()!;
    expect(planRequest(d, head('/'), random).mirrors.map((m) => m.backend.name)).toEqual(['all', 'f50']);
    expect(draws).toEqual([]);
  });

  it('finds a backend mirror by its backend index, not a rule filter of the same position', () => {
    const d = decision({
      filters: [mirror('rule-level')],
      backends: [backend('a', [mirror('backend-level')])],
      filterBackends: [mirrorEntry(0, backend('rule-level')), mirrorEntry(0, backend('backend-level'), 0)],
    });
    expect(planRequest(d, head('/'), never).mirrors.map((m) => m.backend.name)).toEqual(['rule-level', 'backend-level']);
  });

  it('works on WHATWG Headers input', () => {
    const h: RequestHead = { method: 'GET', scheme: 'https', authority: 'gw.example', path: '/', headers: new Headers({ 'x-add': 'a' }) };
    const plan = planRequest(decision({ filters: [headerFilter('RequestHeaderModifier', { add: [['x-add', 'b']] })] }), h, never);
    expect(plan.upstream.headers.get('x-add')).toBe('a,b');
    expect(h.headers.get('x-add')).toBe('a');
  });
});

describe('the filter chain of a decision', () => {
  it('is worked out once and gives the same plan to every request', () => {
    const d = decision({ filters: [headerFilter('RequestHeaderModifier', { add: [['x-a', '1']], set: [['Host', 'up.example']] })] });
    for (let i = 0; i < 3; i++) {
      const request = head('/', { 'x-a': '0' });
      const plan = planRequest(d, request, never);
      expect(plan.upstream.headers.get('x-a')).toBe('0,1');
      expect(plan.upstream.authority).toBe('up.example');
      expect(request.headers.get('x-a')).toBe('0');
      expect(request.authority).toBe('gw.example');
    }
  });

  it('has response filters only when a ResponseHeaderModifier or CORS filter acts, on the rule or the picked backend', () => {
    expect(hasResponseFilters(decision())).toBe(false);
    expect(hasResponseFilters(decision({ filters: [headerFilter('RequestHeaderModifier', { add: [['x-a', '1']] })] }))).toBe(false);
    expect(hasResponseFilters(decision({ filters: [headerFilter('ResponseHeaderModifier', { add: [['x-a', '1']] })] }))).toBe(true);
    expect(hasResponseFilters(decision({ filters: [corsFilter] }))).toBe(true);
    const backends = [backend('plain'), backend('edited', [headerFilter('ResponseHeaderModifier', { remove: ['server'] })])];
    expect(hasResponseFilters(decision({ backends, pick: 0 }))).toBe(false);
    expect(hasResponseFilters(decision({ backends, pick: 1 }))).toBe(true);
  });
});

describe('editResponse', () => {
  it('applies response modifiers of the rule, then of the picked backend', () => {
    const d = decision({
      filters: [headerFilter('ResponseHeaderModifier', { set: [['x-r', 'rule']], remove: ['server'] })],
      backends: [backend('a', [headerFilter('ResponseHeaderModifier', { add: [['x-r', 'backend']] })])],
    });
    const headers = new RecordHeaders({ server: 'echo', 'x-r': 'upstream' });
    editResponse(d, head('/'), 200, headers);
    expect(headers.toRecord()).toEqual({ 'x-r': 'rule,backend' });
  });

  it('adds CORS headers from the Origin the client sent, even when a request filter removed it upstream', () => {
    const d = decision({ filters: [headerFilter('RequestHeaderModifier', { remove: ['origin'] }), corsFilter] });
    const request = head('/', { origin: 'https://app.example' });
    const plan = planRequest(d, request, never);
    expect(plan.upstream.headers.has('origin')).toBe(false);
    const headers = new RecordHeaders();
    editResponse(d, request, 502, headers);
    expect(headers.get('access-control-allow-origin')).toBe('https://app.example');
  });
});
