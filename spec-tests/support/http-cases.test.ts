import { describe, expect, it } from 'vitest';
import { backendFromPod, captureRequest, compareExchange, parseLocation, type HttpCase, type SentRequest } from './http-cases.js';
import type { ClientResponse } from './http-client.js';

const NS = 'gateway-conformance-infra';

function baseCase(overrides: Partial<HttpCase> = {}): HttpCase {
  return {
    request: { host: '', method: 'GET', path: '/', headers: {}, protocol: 'HTTP' },
    backend: 'infra-backend-v1',
    namespace: NS,
    response: { statusCodes: [200] },
    gateway: `${NS}/same-namespace`,
    port: 80,
    scheme: 'http',
    ...overrides,
  };
}

function sentFor(c: HttpCase, path = c.request.path): SentRequest {
  return { method: c.request.method || 'GET', path, scheme: c.scheme, headers: c.request.headers, host: c.request.host };
}

function echo(body: Record<string, unknown>, status = 200, headers: Record<string, string[]> = {}): ClientResponse {
  return {
    status,
    headers: { 'content-type': ['application/json'], ...headers },
    body: Buffer.from(
      JSON.stringify({ path: '/', host: '127.231.0.1:10080', method: 'GET', headers: {}, namespace: NS, pod: 'infra-backend-v1-7b9d5c8f6d-x2kqz', ...body }),
    ),
  };
}

function plain(status: number, headers: Record<string, string[]> = {}, body = ''): ClientResponse {
  return { status, headers, body: Buffer.from(body) };
}

describe('compareExchange: status codes', () => {
  it('accepts any listed code and rejects others, naming both', () => {
    const c = baseCase({ backend: '', namespace: '', response: { statusCodes: [404] } });
    expect(compareExchange(c, sentFor(c), plain(404))).toEqual({ ok: true });
    const v = compareExchange(c, sentFor(c), plain(500, {}, 'boom'));
    expect(v).toEqual({ ok: false, reason: 'expected status code to be one of [404], got 500 (body: boom)' });
  });

  it('treats 408 and 504 as the same timeout code', () => {
    const c = baseCase({ backend: '', response: { statusCodes: [504] } });
    expect(compareExchange(c, sentFor(c), plain(408))).toEqual({ ok: true });
    expect(compareExchange(c, sentFor(c), plain(504))).toEqual({ ok: true });
    const other = baseCase({ backend: '', response: { statusCodes: [500] } });
    expect(compareExchange(other, sentFor(other), plain(504)).ok).toBe(false);
  });
});

describe('compareExchange: the echoed request', () => {
  it('passes a matching echo and checks the pod prefix', () => {
    const c = baseCase();
    expect(compareExchange(c, sentFor(c), echo({}))).toEqual({ ok: true });
    const wrong = baseCase({ backend: 'infra-backend-v2' });
    expect(compareExchange(wrong, sentFor(wrong), echo({}))).toEqual({
      ok: false,
      reason: 'expected pod name to start with infra-backend-v2, got infra-backend-v1-7b9d5c8f6d-x2kqz',
    });
  });

  it('compares path with query, method and namespace exactly (an empty namespace too)', () => {
    const c = baseCase({ request: { host: '', method: 'GET', path: '/q?a=1', headers: {}, protocol: 'HTTP' } });
    expect(compareExchange(c, sentFor(c), echo({ path: '/q?a=1' })).ok).toBe(true);
    expect(compareExchange(c, sentFor(c), echo({ path: '/q' }))).toEqual({ ok: false, reason: 'expected path to be /q?a=1, got /q' });
    expect(compareExchange(c, sentFor(c), echo({ path: '/q?a=1', method: 'POST' }))).toEqual({ ok: false, reason: 'expected method to be GET, got POST' });
    const noNs = baseCase({ namespace: '', backend: '' });
    expect(compareExchange(noNs, sentFor(noNs), echo({}))).toEqual({ ok: false, reason: `expected namespace to be , got ${NS}` });
  });

  it('checks the host only when one is expected', () => {
    const c = baseCase({ request: { host: 'example.org', method: 'GET', path: '/', headers: {}, protocol: 'HTTP' } });
    expect(compareExchange(c, sentFor(c), echo({ host: 'example.org' })).ok).toBe(true);
    expect(compareExchange(c, sentFor(c), echo({ host: 'other.org' }))).toEqual({ ok: false, reason: 'expected host to be example.org, got other.org' });
    const rewritten = baseCase({ expectedRequest: { method: 'GET', path: '/', host: '' } });
    expect(compareExchange(rewritten, sentFor(rewritten), echo({ host: 'anything' })).ok).toBe(true);
  });

  it('expects the sent headers without expectedRequest; names compare case-insensitively, values joined with ","', () => {
    const c = baseCase({ request: { host: '', method: 'GET', path: '/', headers: { 'X-Multi': 'a,b' }, protocol: 'HTTP' } });
    expect(compareExchange(c, sentFor(c), echo({ headers: { 'X-Multi': ['a', 'b'] } })).ok).toBe(true);
    expect(compareExchange(c, sentFor(c), echo({ headers: { 'x-multi': ['a,b'] } })).ok).toBe(true);
    expect(compareExchange(c, sentFor(c), echo({ headers: { 'X-Multi': ['a'] } }))).toEqual({ ok: false, reason: 'expected X-Multi header to be set to a,b, got a' });
    expect(compareExchange(c, sentFor(c), echo({ headers: {} })).ok).toBe(false);
  });

  it('checks headers that must be absent on the backend request', () => {
    const c = baseCase({ expectedRequest: { method: 'GET', path: '/', absentHeaders: ['X-Header-Remove'] } });
    expect(compareExchange(c, sentFor(c), echo({ headers: { Other: ['1'] } })).ok).toBe(true);
    expect(compareExchange(c, sentFor(c), echo({ headers: { 'X-Header-Remove': ['v'] } }))).toEqual({
      ok: false,
      reason: 'expected X-Header-Remove header to not be set on the backend request, got v',
    });
  });

  it('reads a non-JSON 200 as a request with empty path and namespace (a preflight answered by the gateway)', () => {
    const c = baseCase({
      request: { host: '', method: 'OPTIONS', path: '/cors-1', headers: { Origin: 'https://www.foo.com' }, protocol: 'HTTP' },
      expectedRequest: { host: '', method: 'OPTIONS', path: '' },
      backend: '',
      namespace: '',
      response: { statusCodes: [200, 204], validHeaderValues: { 'access-control-allow-methods': ['GET, OPTIONS', 'OPTIONS, GET'] }, ignoreWhitespace: true },
    });
    const preflight = plain(204, { 'access-control-allow-methods': ['OPTIONS,GET'] });
    expect(compareExchange(c, sentFor(c), preflight)).toEqual({ ok: true });
    expect(compareExchange(c, sentFor(c), echo({ path: '/cors-1', method: 'OPTIONS' }, 200, { 'access-control-allow-methods': ['GET, OPTIONS'] }))).toEqual({
      ok: false,
      reason: 'expected path to be , got /cors-1',
    });
    expect(compareExchange(c, sentFor(c), plain(204, { 'access-control-allow-methods': ['PUT'] })).ok).toBe(false);
  });

  it('checks response headers, exact or ignoring whitespace, and absent response headers', () => {
    const c = baseCase({ response: { statusCodes: [200], headers: { 'X-Header-Set': 'a, b' }, absentHeaders: ['X-Gone'] } });
    expect(compareExchange(c, sentFor(c), echo({}, 200, { 'x-header-set': ['a, b'] })).ok).toBe(true);
    expect(compareExchange(c, sentFor(c), echo({}, 200, { 'x-header-set': ['a,b'] })).ok).toBe(false);
    const loose = baseCase({ response: { statusCodes: [200], headers: { 'X-Header-Set': 'a, b' }, ignoreWhitespace: true } });
    expect(compareExchange(loose, sentFor(loose), echo({}, 200, { 'x-header-set': ['a,b'] })).ok).toBe(true);
    expect(compareExchange(c, sentFor(c), echo({}, 200, { 'x-header-set': ['a, b'], 'x-gone': ['1'] }))).toEqual({
      ok: false,
      reason: 'expected response header X-Gone to not be set, got 1',
    });
  });

  it('checks the SNI and the client certificate the TLS backend saw', () => {
    const c = baseCase({ backend: '', request: { host: 'abc.example.com', method: 'GET', path: '/', headers: {}, protocol: 'HTTP', sni: 'abc.example.com' } });
    expect(compareExchange(c, sentFor(c), echo({ host: 'abc.example.com', tls: { serverName: 'abc.example.com' } })).ok).toBe(true);
    expect(compareExchange(c, sentFor(c), echo({ host: 'abc.example.com' }))).toEqual({
      ok: false,
      reason: 'expected the backend to see SNI abc.example.com over TLS, but the backend connection was not TLS',
    });
    expect(compareExchange(c, sentFor(c), echo({ host: 'abc.example.com', tls: { serverName: '' } })).ok).toBe(false);
    const pem = '-----BEGIN CERTIFICATE-----\nAAAA\nBBBB\n-----END CERTIFICATE-----\n';
    const sent = { ...sentFor(c), backendClientCertPem: pem };
    const seen = { host: 'abc.example.com', tls: { serverName: 'abc.example.com', peerCertificates: ['-----BEGIN CERTIFICATE-----\nAAAABBBB\n-----END CERTIFICATE-----\n'] } };
    expect(compareExchange(c, sent, echo(seen)).ok).toBe(true);
    expect(compareExchange(c, sent, echo({ ...seen, tls: { serverName: 'abc.example.com' } })).ok).toBe(false);
  });

  it('does not check the echo on other statuses', () => {
    const c = baseCase({ backend: 'x', response: { statusCodes: [500] } });
    expect(compareExchange(c, sentFor(c), echo({ pod: 'nope' }, 500)).ok).toBe(true);
  });
});

describe('compareExchange: redirects', () => {
  const redirect = (expected: HttpCase['redirectRequest'], location: string, scheme = 'http') => {
    const c = baseCase({
      backend: '',
      request: { host: '', method: 'GET', path: '/orig?x=1', headers: {}, protocol: 'HTTP', unfollowRedirect: true },
      response: { statusCodes: [302] },
      redirectRequest: expected,
      scheme,
    });
    return compareExchange(c, sentFor(c), plain(302, { location: [location] }));
  };

  it('defaults the path to the request path (no query) and the scheme to the request scheme', () => {
    expect(redirect({ host: 'example.org' }, 'http://example.org/orig').ok).toBe(true);
    expect(redirect({ host: 'example.org' }, 'http://example.org/other')).toEqual({
      ok: false,
      reason: 'expected redirected path to be "/orig", got "/other" (Location http://example.org/other)',
    });
    expect(redirect({ host: 'example.org' }, 'https://example.org/orig').ok).toBe(false);
  });

  it('accepts an absent or default port when none is expected, and compares a given one exactly', () => {
    expect(redirect({ scheme: 'https', host: 'example.org' }, 'https://example.org:443/orig').ok).toBe(true);
    expect(redirect({ scheme: 'https', host: 'example.org' }, 'https://example.org:8443/orig').ok).toBe(false);
    expect(redirect({ host: 'example.org', port: '8083' }, 'http://example.org:8083/orig').ok).toBe(true);
    expect(redirect({ host: 'example.org', port: '8083' }, 'http://example.org/orig').ok).toBe(false);
    expect(redirect({ scheme: 'http', host: 'example.org' }, 'http://example.org:80/orig', 'https').ok).toBe(true);
  });

  it('does not compare the host when none is expected, but still the port', () => {
    expect(redirect({ path: '/permanent' }, 'http://127.231.0.1/permanent').ok).toBe(true);
    expect(redirect({ path: '/permanent' }, 'http://127.231.0.1/temporary').ok).toBe(false);
    // The listener port is 80 in the manifests: a port-offset host port must not leak into Location.
    expect(redirect({ path: '/permanent' }, 'http://127.231.0.1:10080/permanent')).toEqual({
      ok: false,
      reason: 'for http scheme, expected redirected port to be 80 or not set, got "10080" (Location http://127.231.0.1:10080/permanent)',
    });
  });

  it('ignores 3xx details when the case expects no redirect', () => {
    const c = baseCase({ backend: '', response: { statusCodes: [302] } });
    expect(compareExchange(c, sentFor(c), plain(302)).ok).toBe(true);
  });
});

describe('helpers', () => {
  it('parses Location headers as Go url.Parse does', () => {
    expect(parseLocation('https://example.org:8443/a%20b?q=1')).toEqual({ scheme: 'https', host: 'example.org', port: '8443', path: '/a b' });
    expect(parseLocation('http://[::1]:80/x')).toEqual({ scheme: 'http', host: '::1', port: '80', path: '/x' });
    expect(parseLocation('/relative')).toEqual({ scheme: '', host: '', port: '', path: '/relative' });
  });

  it('derives the backend from a Deployment pod name', () => {
    expect(backendFromPod('infra-backend-v1-7b9d5c8f6d-x2kqz')).toBe('infra-backend-v1');
    expect(backendFromPod('solo')).toBe('solo');
  });

  it('reports an application/json answer that does not parse', () => {
    const res: ClientResponse = { status: 200, headers: { 'content-type': ['application/json'] }, body: Buffer.from('{') };
    const c = baseCase();
    expect('error' in captureRequest(res, sentFor(c))).toBe(true);
    expect(compareExchange(c, sentFor(c), res).ok).toBe(false);
  });
});
