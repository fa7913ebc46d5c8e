/**
 * `npm start`: the demo boots on the bundled examples, and every curl command it prints works
 * when sent as printed (URL and headers parsed from the output).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freeOffset, send, startTs, type Child } from '../ops/test-support.js';
import { pointSlicesAt } from './manifests.js';

interface PrintedCurl {
  url: string;
  headers: Record<string, string>;
}

/** Parses `curl [-i] -H 'Name: value' ... URL` as the demo prints it. */
function parseCurl(line: string): PrintedCurl {
  const headers: Record<string, string> = {};
  for (const m of line.matchAll(/-H '([^:']+): ([^']*)'/g)) headers[m[1]!.toLowerCase()] = m[2]!;
  const url = /(http:\/\/\S+)\s*$/.exec(line)?.[1];
  if (!url) throw new Error(`no URL in ${line}`);
  return { url, headers };
}

let child: Child | undefined;
afterEach(() => child?.kill());

describe('npm start demo', () => {
  it('boots, answers each printed curl command, and stops on SIGTERM', async () => {
    const offset = await freeOffset();
    child = startTs('host-node/demo/main.ts', ['--port-offset', String(offset), '--admin', '127.0.0.1:0']);
    await child.waitLine((l) => l.startsWith('Every request is logged'));
    const curls = child.lines.filter((l) => l.trimStart().startsWith('curl ') && l.includes('-H')).map((l) => parseCurl(l.trim()));
    expect(curls.length).toBeGreaterThanOrEqual(7);
    for (const c of curls) expect(c.url.startsWith(`http://127.0.0.1:${8080 + offset}/`)).toBe(true);

    const answers = new Map<string, { status: number; location: unknown; body: Record<string, any> | undefined }>();
    for (const c of curls) {
      const { host, ...headers } = c.headers;
      const res = await send(c.url, { host: host!, headers });
      const key = `${host} ${new URL(c.url).pathname} ${headers['x-canary'] ?? ''}`.trim();
      answers.set(key, { status: res.status, location: res.headers.location, body: res.status === 200 ? JSON.parse(res.body) : undefined });
    }
    expect(answers.get('shop.example.com /')?.body?.backend).toBe('shop/storefront');
    const canary = answers.get('shop.example.com /api/items');
    expect(['shop/api-v1', 'shop/api-v2']).toContain(canary?.body?.backend);
    expect(canary?.body?.headers['x-served-by']).toBe('switchyard');
    expect(answers.get('shop.example.com /api/items always')?.body?.backend).toBe('shop/api-v2');
    expect(answers.get('api.example.com /api/health')?.body?.backend).toBe('shop/api-v1');
    expect(answers.get('docs.example.com /')?.body?.backend).toBe('shop/storefront');
    expect(answers.get('docs.example.com /manual/install')).toMatchObject({ status: 301, location: expect.stringMatching(/\/guide\/install$/) });
    expect(answers.get('docs.example.com /guide/install')?.body).toMatchObject({ backend: 'shop/storefront', path: '/help/install' });

    const admin = child.lines.find((l) => l.trim().startsWith('curl http://') && l.endsWith('/readyz'));
    expect(admin).toBeDefined();
    expect((await send(admin!.trim().slice('curl '.length))).status).toBe(200);

    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.json().filter((o) => o.msg === 'access').length).toBe(curls.length);
  });
});

describe('demo manifests', () => {
  it('points the slices of demo Services at the demo ports and leaves the rest alone', () => {
    const text = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: a, namespace: shop, labels: {kubernetes.io/service-name: api-v1}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1]}]
ports: [{name: http, port: 9102}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: b, namespace: shop, labels: {kubernetes.io/service-name: other}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.2]}]
ports: [{name: http, port: 9999}]
`;
    const out = pointSlicesAt(text, new Map([['shop/api-v1', 41234]]));
    expect(out).toContain('port: 41234');
    expect(out).toContain('127.0.0.1');
    expect(out).not.toContain('9102');
    expect(out).toContain('port: 9999');
    expect(pointSlicesAt(text, new Map())).toBe(text);
  });
});
