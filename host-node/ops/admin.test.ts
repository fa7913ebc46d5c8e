import { request } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from './admin.js';
import { createLogger } from './logging.js';
import { GatewayMetrics } from './metrics.js';
import { Readiness } from './readiness.js';
import { Shutdown } from './shutdown.js';

function get(url: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
let admin: AdminServer | undefined;

afterEach(async () => {
  await admin?.close();
  admin = undefined;
});

describe('admin server', () => {
  it('answers healthz always, readyz only when bound, loaded and not draining', async () => {
    const readiness = new Readiness();
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    admin = await startAdminServer({ host: '127.0.0.1', port: 0, readiness, metrics });
    expect((await get(`${admin.url}/healthz`)).status).toBe(200);
    const before = await get(`${admin.url}/readyz`);
    expect(before.status).toBe(503);
    expect(before.body).toContain('listeners not bound');
    expect(before.body).toContain('no route table loaded');
    readiness.setListening(true);
    expect((await get(`${admin.url}/readyz`)).status).toBe(503);
    readiness.setTableLoaded(true);
    expect(await get(`${admin.url}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
    readiness.startDraining();
    expect(await get(`${admin.url}/readyz`)).toMatchObject({ status: 503, body: 'not ready: draining\n' });
    expect((await get(`${admin.url}/healthz`)).status).toBe(200);
  });

  it('fails readyz for the whole drain, before the gateway stops accepting', async () => {
    const readiness = new Readiness();
    readiness.setListening(true);
    readiness.setTableLoaded(true);
    admin = await startAdminServer({ host: '127.0.0.1', port: 0, readiness, metrics: new GatewayMetrics({ defaultMetrics: false }) });
    const url = admin.url;
    const seenDuringDrain: number[] = [];
    let exitCode: number | undefined;
    const shutdown = new Shutdown({
      readiness,
      logger: silent,
      drainTimeoutMs: 1_000,
      drain: async () => {
        seenDuringDrain.push((await get(`${url}/readyz`)).status);
      },
      exit: (code) => (exitCode = code),
    });
    expect((await get(`${url}/readyz`)).status).toBe(200);
    await shutdown.begin('test');
    expect(seenDuringDrain).toEqual([503]);
    expect(exitCode).toBe(0);
  });

  it('serves the metrics registry in Prometheus text format', async () => {
    const metrics = new GatewayMetrics();
    metrics.setTable({ hash: 'feedface', routeIds: [], backends: [] });
    admin = await startAdminServer({ host: '127.0.0.1', port: 0, readiness: new Readiness(), metrics });
    const res = await get(`${admin.url}/metrics`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('text/plain');
    expect(res.body).toContain('switchyard_table_info{hash="feedface"} 1');
    expect(res.body).toContain('process_resident_memory_bytes');
  });

  it('answers HEAD without a body, 405 for other methods, 404 elsewhere, 500 when metrics fail', async () => {
    const failures: unknown[] = [];
    admin = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      readiness: new Readiness(),
      metrics: { expose: () => Promise.reject(new Error('collector broke')) },
      onError: (err) => failures.push(err),
    });
    expect(await get(`${admin.url}/healthz`, 'HEAD')).toMatchObject({ status: 200, body: '' });
    const post = await get(`${admin.url}/healthz`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await get(`${admin.url}/admin/reload`)).status).toBe(404);
    expect((await get(`${admin.url}/metrics`)).status).toBe(500);
    expect(failures).toHaveLength(1);
  });
});
