/**
 * The request-target canonicalizer against security.md §6 (P rows), with the fixture of that
 * table: `/public` -> A, `/admin` -> B. Each row checks the canonical target and, through the
 * Wasm router on a compiled table, which route the canonical path reaches.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../pipeline.js';
import { canonicalAnswer, canonicalizeTarget, canonicalRewrittenTarget, removeDotSegments, type CanonicalTarget } from './canonical-path.js';
import { createRouter, type Router } from './router.js';

const FIXTURE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: switchyard }
spec: { controllerName: switchyard.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: switchyard
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: a, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ matches: [{ path: { type: PathPrefix, value: /public } }], backendRefs: [{ name: a, port: 80 }] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: b, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ matches: [{ path: { type: PathPrefix, value: /admin } }], backendRefs: [{ name: b, port: 80 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: a, namespace: default }
spec: { ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: b, namespace: default }
spec: { ports: [{ port: 80 }] }
`;

let router: Router;
beforeAll(async () => {
  const { table } = compile(FIXTURE);
  router = await createRouter(table);
});

/** The route the canonical path reaches: 'A', 'B' or 'none'. */
function routeOf(target: string): string {
  const r = canonicalizeTarget(target);
  if (r.kind !== 'ok') throw new Error(`${target} is not ok: ${JSON.stringify(r)}`);
  const d = router.match({ method: 'GET', host: 'a.example', path: r.target, port: 80 });
  return d.matched ? d.route.name.toUpperCase() : 'none';
}

function ok(target: string): string {
  const r = canonicalizeTarget(target);
  expect(r.kind, `${target}: ${JSON.stringify(r)}`).toBe('ok');
  return (r as Extract<CanonicalTarget, { kind: 'ok' }>).target;
}

describe('canonicalizeTarget: security.md §6 path confusion rows', () => {
  it('P1 /public/../admin is /admin -> B', () => {
    expect(ok('/public/../admin')).toBe('/admin');
    expect(routeOf('/public/../admin')).toBe('B');
  });

  it.each(['/public/%2e%2e/admin', '/public/%2E%2e/admin', '/public/.%2e/admin', '/public/%2e./admin'])('P2 %s is /admin -> B', (target) => {
    expect(ok(target)).toBe('/admin');
    expect(routeOf(target)).toBe('B');
  });

  it.each(['/public%2F..%2Fadmin', '/public%2f..%2fadmin'])('P3 %s redirects (307) to the unescaped normalized path, 400 for gRPC', (target) => {
    const r = canonicalizeTarget(target);
    expect(r).toEqual({ kind: 'escaped-slash', location: '/admin' });
    if (r.kind === 'ok') throw new Error('unreachable');
    expect(canonicalAnswer(r, false)).toEqual({ status: 307, headers: [['location', '/admin']] });
    expect(canonicalAnswer(r, true)).toEqual({ status: 400, headers: [] });
  });

  it('P3 an escaped slash is data while dot segments are removed: only one left afterwards redirects', () => {
    expect(ok('/x/%2F/../y')).toBe('/x/y');
    expect(ok('/public%2F../%2e%2e/admin')).toBe('/admin');
    expect(canonicalizeTarget('/public%2F../public/%2f../..')).toEqual({ kind: 'escaped-slash', location: '/public/' });
    expect(canonicalizeTarget('/a/%252F/b').kind).toBe('ok'); // an escaped '%', not an escaped slash
  });

  it('P3 keeps the query in the redirect location', () => {
    expect(canonicalizeTarget('/a%2Fb?x=1&y=%2F')).toEqual({ kind: 'escaped-slash', location: '/a/b?x=1&y=%2F' });
  });

  it('P4 /public%5C..%5Cadmin is handled as P3', () => {
    expect(canonicalizeTarget('/public%5C..%5Cadmin')).toEqual({ kind: 'escaped-slash', location: '/admin' });
    expect(canonicalizeTarget('/public%5c..%5cadmin')).toEqual({ kind: 'escaped-slash', location: '/admin' });
  });

  it('P5 a raw backslash is a slash: /public\\..\\admin is /admin -> B', () => {
    expect(ok('/public\\..\\admin')).toBe('/admin');
    expect(routeOf('/public\\..\\admin')).toBe('B');
    expect(ok('/a/..\\c')).toBe('/c'); // the Envoy vector
  });

  it('P6 the fragment is dropped, never forwarded or encoded', () => {
    expect(ok('/admin#x')).toBe('/admin');
    expect(routeOf('/admin#x')).toBe('B');
    expect(ok('/#/../admin')).toBe('/');
    expect(routeOf('/#/../admin')).toBe('none');
    expect(ok('/public?q=1#frag')).toBe('/public?q=1');
  });

  it('P7 ";" has no special meaning: /public/..;x=y/admin stays, an ordinary segment under /public -> A', () => {
    expect(ok('/public/..;x=y/admin')).toBe('/public/..;x=y/admin');
    expect(routeOf('/public/..;x=y/admin')).toBe('A');
  });

  it.each([
    ['//public//x', '/public/x'],
    ['/public///x', '/public/x'],
  ])('P8 %s merges slashes to %s -> A', (target, canonical) => {
    expect(ok(target)).toBe(canonical);
    expect(routeOf(target)).toBe('A');
  });

  it.each(['/xyz/.%00../abc', '/xyz/%00.%00./abc', '/xyz/AAAAA%%0000/abc', '/public%00'])('P9 %s is rejected (400)', (target) => {
    const r = canonicalizeTarget(target);
    expect(r.kind).toBe('invalid');
    if (r.kind === 'ok') throw new Error('unreachable');
    expect(canonicalAnswer(r, false).status).toBe(400);
  });

  it('P10 /%61dmin decodes the unreserved character: /admin -> B', () => {
    expect(ok('/%61dmin')).toBe('/admin');
    expect(routeOf('/%61dmin')).toBe('B');
  });

  it('P11 matching stays case-sensitive: /ADMIN is not /admin', () => {
    expect(ok('/ADMIN')).toBe('/ADMIN');
    expect(routeOf('/ADMIN')).toBe('none');
  });

  it('P12 PathPrefix is segment-wise: /publicity does not match /public', () => {
    expect(routeOf('/publicity')).toBe('none');
    expect(routeOf('/public')).toBe('A');
    expect(routeOf('/public/')).toBe('A');
    expect(routeOf('/public/x')).toBe('A');
  });

  it('P13 /api../admin and /api%2e%2e/admin are one segment "api.." (no /api prefix match, no climb to /admin)', () => {
    expect(ok('/api../admin')).toBe('/api../admin');
    expect(ok('/api%2e%2e/admin')).toBe('/api../admin');
    expect(routeOf('/api%2e%2e/admin')).toBe('none');
  });

  it('P13 a rewritten path is normalized again, with escaped slashes of the configuration kept', () => {
    expect(canonicalRewrittenTarget('/v2/../admin?x=1')).toBe('/admin?x=1');
    expect(canonicalRewrittenTarget('//v2//%61pi')).toBe('/v2/api');
    expect(canonicalRewrittenTarget('/a%2fb')).toBe('/a%2Fb');
  });

  it('P14 /admin/* matches PathPrefix /admin', () => {
    expect(ok('/admin/*')).toBe('/admin/*');
    expect(routeOf('/admin/*')).toBe('B');
  });
});

describe('canonicalizeTarget: the rest of the contract', () => {
  it('returns a plain target unchanged (same string)', () => {
    const t = '/api/v1/items?page=2&sort=name';
    const r = canonicalizeTarget(t);
    expect(r).toEqual({ kind: 'ok', target: t, path: '/api/v1/items', query: 'page=2&sort=name' });
    expect((r as { target: string }).target).toBe(t);
  });

  it('rejects raw control characters anywhere, also in the query', () => {
    for (const t of ['/a\u0000b', '/a\u0001', '/a?x=\u0007', '/\u007f']) expect(canonicalizeTarget(t).kind, JSON.stringify(t)).toBe('invalid');
  });

  it('keeps an encoded control byte in the query (data), rejects it in the path', () => {
    expect(canonicalizeTarget('/a?x=%00').kind).toBe('ok');
    expect(canonicalizeTarget('/a%1f').kind).toBe('invalid');
    expect(canonicalizeTarget('/a%7F').kind).toBe('invalid');
  });

  it('rejects absolute-form, asterisk-form and empty targets', () => {
    for (const t of ['http://evil.example/admin', '*', '', 'admin', '?x']) expect(canonicalizeTarget(t).kind, t).toBe('invalid');
  });

  it('rejects malformed percent-encoding in the path', () => {
    for (const t of ['/a%', '/a%2', '/a%zz', '/a%2g/b']) expect(canonicalizeTarget(t).kind, t).toBe('invalid');
  });

  it('upper-cases the hex of escapes it keeps and decodes only unreserved characters', () => {
    expect(ok('/a%3bb%20c%7e%2D%5f')).toBe('/a%3Bb%20c~-_');
    expect(ok('/%41%5A%30%39')).toBe('/AZ09');
  });

  it('percent-encodes characters a path may not hold, like the WHATWG parser', () => {
    expect(ok('/a b')).toBe('/a%20b');
    expect(ok('/a"<>`{}|^[]')).toBe('/a%22%3C%3E%60%7B%7D%7C%5E%5B%5D');
    expect(ok('/é')).toBe('/%C3%A9');
    expect(ok('/😀')).toBe('/%F0%9F%98%80');
  });

  it("encodes the query characters WHATWG encodes (space \" ' < >), keeps the rest", () => {
    expect(ok("/q?a='\"<> &b=%2F/?:@")).toBe('/q?a=%27%22%3C%3E%20&b=%2F/?:@');
    expect(ok('/q?a=%zz')).toBe('/q?a=%zz');
  });

  it('handles dot segments as RFC 3986 §5.2.4 (and merges slashes afterwards)', () => {
    const cases: [string, string][] = [
      ['/a/b/c/./../../g', '/a/g'],
      ['/a/b/..', '/a/'],
      ['/a/b/.', '/a/b/'],
      ['/..', '/'],
      ['/../../x', '/x'],
      ['/a//../b', '/a/b'],
      ['/a/./b/', '/a/b/'],
      ['/.../x', '/.../x'],
      ['/', '/'],
      ['//', '/'],
    ];
    for (const [input, want] of cases) expect(removeDotSegments(input), input).toBe(want);
    expect(ok('/a/%2e/b/%2E%2E/c')).toBe('/a/c');
  });

  it('gives a target and the URL standard\'s reading of it (what a worker receives) the same result, unless a removed segment held an encoded control byte', () => {
    const targets = [
      '/public/%2e%2e/admin', '/public\\..\\admin', '/x/%2F/../y', '/public%2F../%2E./a%2Fb/..', '/a%5C/..\\b?q=%2F', '//a/.%2e//b/', '/api/%2e/..//%2e%2e/public?q=1',
      '/%61dmin/%2e/../%2F?a=1', '/public%2F../public/%2f../..', '/a/..;x/./b', '/a b/%7e/../c',
    ];
    for (const t of targets) {
      const url = new URL(`http://a.example${t}`);
      expect(canonicalizeTarget(url.href.slice(url.origin.length)), t).toEqual(canonicalizeTarget(t));
    }
    expect(canonicalizeTarget('/other/%00/..').kind).toBe('invalid'); // the URL standard's reading, /other/, is ok
  });

  it('is idempotent: the canonical target canonicalizes to itself', () => {
    const inputs = ['/public/%2e%2e/admin?x=1', '//a//b/../c/', '/%61%62c%3b?q="x"', '/a\\b\\..\\c', '/é/ü?ß', '/a b/./c'];
    for (const t of inputs) {
      const once = ok(t);
      expect(ok(once), t).toBe(once);
    }
  });
});
