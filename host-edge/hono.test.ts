/**
 * The hono middleware inside workerd: routed requests are proxied by the gateway, the others
 * reach the application (fallthrough) or get the gateway's 404 (fallthrough: false); targets the
 * gateway refuses are answered by it in both modes.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/pipeline.js';
import { CLASS, gatewayYaml, routeYaml, serviceYaml } from '../host-node/test-support.js';
import { sendRequest } from '../spec-tests/support/http-client.js';
import { backendMapFor } from './backends.js';
import { putTable } from './table-source.js';
import { bundleWorker, startWorker, type Bundle, type EdgeWorker } from './testing/miniflare.js';

let origin: Server;
let bundle: Bundle;
let worker: EdgeWorker;

beforeAll(async () => {
  origin = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, xfh: req.headers['x-forwarded-host'], xfp: req.headers['x-forwarded-proto'], connection: req.headers['x-hop'] ?? null }));
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', () => resolve()));
  const port = (origin.address() as { port: number }).port;
  const docs = [
    CLASS,
    gatewayYaml('gw', '  - { name: http, protocol: HTTP, port: 80 }'),
    serviceYaml('a', [port]),
    routeYaml('public', '  - matches: [{ path: { type: PathPrefix, value: /public } }, { path: { type: PathPrefix, value: /strict/routed } }]\n    backendRefs: [{ name: a, port: 8080 }]'),
  ].join('\n---\n');
  bundle = await bundleWorker('host-edge/testing/hono-worker.ts');
  worker = await startWorker(bundle);
  const compiled = compile(docs);
  await putTable(worker.kv, compiled.table, { backends: backendMapFor(compiled.objects, compiled.manifest) });
}, 120_000);

afterAll(async () => {
  await worker?.dispose();
  await bundle?.remove();
  origin?.close();
});

function get(path: string, headers: [string, string][] = []) {
  return sendRequest({ protocol: 'HTTP', address: '127.0.0.1', port: Number(worker.url.port), method: 'GET', path, host: 'shop.example', headers, timeoutMs: 10_000 });
}

describe('switchyard() hono middleware in workerd', () => {
  it('proxies a routed request with the canonical path and X-Forwarded-*, without hop-by-hop headers', async () => {
    const res = await get('/public/a/../b?x=1', [['Connection', 'x-hop'], ['X-Hop', 'secret']]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ path: '/public/b?x=1', xfh: 'shop.example', xfp: 'http', connection: null });
  });

  it('passes unrouted requests to the application', async () => {
    const res = await get('/app/hello');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello from the application');
  });

  it('leaves requests nobody takes to hono\'s own 404', async () => {
    const res = await get('/nothing/here');
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe('404 Not Found');
  });

  it('answers 404 itself with fallthrough: false, and still routes', async () => {
    const strict = await get('/strict/app');
    expect(strict.status).toBe(404);
    expect(strict.body.toString()).toBe('404 Not Found\n');
    const routed = await get('/strict/routed/x');
    expect(routed.status).toBe(200);
    expect(JSON.parse(routed.body.toString()).path).toBe('/strict/routed/x');
  });

  it('answers refused targets itself, whatever the fallthrough', async () => {
    const bad = await get('/app/%00hello');
    expect(bad.status).toBe(400);
    const escaped = await get('/app%2Fhello');
    expect(escaped.status).toBe(307);
    expect(escaped.headers.location).toEqual(['/app/hello']);
  });
});
