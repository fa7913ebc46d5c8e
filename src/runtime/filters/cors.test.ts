import { describe, expect, it } from 'vitest';
import type { HTTPCORSFilter } from '../../model/gateway-api.js';
import { addCorsHeaders, isPreflight, originAllowed, preflightResponse } from './cors.js';
import { RecordHeaders } from './headers.js';
import { head } from './testing.js';

const cors = (c: Partial<HTTPCORSFilter>): HTTPCORSFilter => ({ maxAge: 5, ...c });
const preflight = (origin: string, extra: Record<string, string> = {}) =>
  head('/', { origin, 'access-control-request-method': 'PUT', ...extra }, { method: 'OPTIONS' });
const asMap = (headers: [string, string][]) => Object.fromEntries(headers);

describe('originAllowed', () => {
  const c = cors({ allowOrigins: ['https://www.foo.com', 'https://*.bar.com', 'http://local.test:8080'] });
  const cases: [string, boolean][] = [
    ['https://www.foo.com', true],
    ['https://WWW.FOO.COM', true],
    ['https://www.foo.com:443', true],
    ['https://www.foo.com:8443', false],
    ['http://www.foo.com', false],
    ['https://www.bar.com', true],
    ['https://xpto.www.bar.com', true],
    ['https://bar.com', false],
    ['https://foobar.com', false],
    ['http://local.test:8080', true],
    ['http://local.test', false],
    ['null', false],
    ['', false],
  ];
  for (const [origin, allowed] of cases) it(`${JSON.stringify(origin)} -> ${allowed}`, () => expect(originAllowed(c, origin)).toBe(allowed));

  it('`*` allows every origin, the opaque one included', () => {
    expect(originAllowed(cors({ allowOrigins: ['*'] }), 'null')).toBe(true);
    expect(originAllowed(cors({ allowOrigins: ['*'] }), 'https://foobar.com:12345')).toBe(true);
    expect(originAllowed(cors({}), 'https://foobar.com')).toBe(false);
  });
});

describe('isPreflight', () => {
  it('needs OPTIONS, Origin and Access-Control-Request-Method', () => {
    expect(isPreflight(preflight('https://a.example'))).toBe(true);
    expect(isPreflight(head('/', { origin: 'https://a.example' }, { method: 'OPTIONS' }))).toBe(false);
    expect(isPreflight(head('/', { origin: 'https://a.example', 'access-control-request-method': 'PUT' }))).toBe(false);
  });
});

describe('preflightResponse', () => {
  it('lists the configured values and echoes the origin with credentials', () => {
    const r = preflightResponse(
      cors({
        allowOrigins: ['https://*.bar.com'],
        allowMethods: ['GET', 'OPTIONS'],
        allowHeaders: ['x-header-1', 'x-header-2'],
        exposeHeaders: ['x-header-3'],
        allowCredentials: true,
        maxAge: 3600,
      }),
      preflight('https://www.bar.com', { 'access-control-request-headers': 'x-header-1' }),
    );
    expect(r.status).toBe(204);
    expect(asMap(r.headers)).toEqual({
      'access-control-allow-origin': 'https://www.bar.com',
      vary: 'Origin',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, OPTIONS',
      'access-control-allow-headers': 'x-header-1, x-header-2',
      'access-control-expose-headers': 'x-header-3',
      'access-control-max-age': '3600',
    });
  });

  it('answers wildcards with `*` without credentials and echoes the request with them', () => {
    const all = { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'] };
    const req = preflight('https://o.example', { 'access-control-request-headers': 'x-a, x-b' });
    expect(asMap(preflightResponse(cors(all), req).headers)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'x-a, x-b',
      'access-control-expose-headers': '*',
      'access-control-max-age': '5',
    });
    expect(asMap(preflightResponse(cors({ ...all, allowCredentials: true }), preflight('https://o.example')).headers)).toEqual({
      'access-control-allow-origin': 'https://o.example',
      vary: 'Origin',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT',
      'access-control-max-age': '5',
    });
    expect(asMap(preflightResponse(cors(all), preflight('https://o.example')).headers)['access-control-allow-headers']).toBe('*');
  });

  it('uses the default max age when the filter has none', () => {
    const r = preflightResponse({ allowOrigins: ['*'] } as HTTPCORSFilter, preflight('https://o.example'));
    expect(asMap(r.headers)['access-control-max-age']).toBe('5');
  });

  it('refuses a disallowed origin with 403 and no CORS headers', () => {
    expect(preflightResponse(cors({ allowOrigins: ['https://www.foo.com'] }), preflight('https://foobar.com'))).toEqual({ status: 403, headers: [] });
  });
});

describe('addCorsHeaders', () => {
  const c = cors({ allowOrigins: ['https://www.foo.com'], exposeHeaders: ['x-e'], allowCredentials: true, allowMethods: ['GET'] });

  it('adds origin, credentials, expose and Vary for an allowed origin, replacing the backend values', () => {
    const h = new RecordHeaders({ 'access-control-allow-origin': '*', vary: 'Accept-Encoding' });
    addCorsHeaders(c, head('/', { origin: 'https://www.foo.com' }), h);
    expect(h.toRecord()).toEqual({
      'access-control-allow-origin': 'https://www.foo.com',
      vary: 'Accept-Encoding, Origin',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-e',
    });
  });

  it('does not repeat Origin in Vary', () => {
    const h = new RecordHeaders({ vary: 'origin' });
    addCorsHeaders(c, head('/', { origin: 'https://www.foo.com' }), h);
    expect(h.get('vary')).toBe('origin');
  });

  it('leaves responses to disallowed or absent origins untouched', () => {
    for (const req of [head('/', { origin: 'https://foobar.com' }), head('/')]) {
      const h = new RecordHeaders({ 'content-type': 'text/plain' });
      addCorsHeaders(c, req, h);
      expect(h.toRecord()).toEqual({ 'content-type': 'text/plain' });
    }
  });

  it('expands an expose wildcard into the response header names when credentials forbid `*`', () => {
    const h = new RecordHeaders({ 'content-type': 'text/plain', 'x-custom': '1' });
    addCorsHeaders(cors({ allowOrigins: ['*'], exposeHeaders: ['*'], allowCredentials: true }), head('/', { origin: 'https://o.example' }), h);
    expect(h.get('access-control-expose-headers')).toBe('content-type, x-custom, vary');
    const open = new RecordHeaders({ 'x-custom': '1' });
    addCorsHeaders(cors({ allowOrigins: ['*'], exposeHeaders: ['*'] }), head('/', { origin: 'https://o.example' }), open);
    expect(open.toRecord()).toEqual({ 'x-custom': '1', 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' });
  });
});
