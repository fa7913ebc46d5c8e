import { describe, expect, it } from 'vitest';
import { codeClass, GatewayMetrics, UNKNOWN_LABEL } from './metrics.js';
import type { RequestEndInfo } from './types.js';

const request = (over: Partial<RequestEndInfo> = {}): RequestEndInfo => ({
  routeId: 'httproute/shop/api/rule/0/match/0',
  backend: 'shop/api-v1:80',
  status: 200,
  durationMs: 12,
  bytesIn: 0,
  bytesOut: 10,
  method: 'GET',
  host: 'shop.example.com',
  path: '/api/items',
  ...over,
});

async function sample(metrics: GatewayMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = (metric?.values as Array<{ labels: Record<string, string | number>; value: number; metricName?: string }> | undefined)?.find(
    (v) => (v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`) && Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return value?.value;
}

describe('GatewayMetrics', () => {
  it('classes status codes', () => {
    expect(codeClass(204)).toBe('2xx');
    expect(codeClass(503)).toBe('5xx');
    expect(codeClass(0)).toBe(UNKNOWN_LABEL);
    expect(codeClass(700)).toBe(UNKNOWN_LABEL);
  });

  it('counts requests by table route, backend and status class; unknown labels become none', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.setTable({ hash: 'abc', routeIds: ['httproute/shop/api/rule/0/match/0'], backends: ['shop/api-v1:80'] });
    metrics.observeRequest(request());
    metrics.observeRequest(request({ status: 201 }));
    metrics.observeRequest(request({ routeId: 'httproute/evil/x/rule/0/match/0', backend: 'evil/x:80', status: 404 }));
    metrics.observeRequest(request({ routeId: null, backend: null, status: 404 }));
    expect(await sample(metrics, 'switchyard_requests_total', { route: 'httproute/shop/api/rule/0/match/0', backend: 'shop/api-v1:80', code_class: '2xx' })).toBe(2);
    expect(await sample(metrics, 'switchyard_requests_total', { route: 'none', backend: 'none', code_class: '4xx' })).toBe(2);
    expect(await sample(metrics, 'switchyard_request_duration_seconds', { route: 'httproute/shop/api/rule/0/match/0' })).toBe(2);
    const text = (await metrics.expose()).body;
    expect(text).not.toContain('evil');
  });

  it('keeps the previous table\'s labels for requests that finish after a swap, and only the current hash', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.setTable({ hash: 'one', routeIds: ['r1'], backends: ['b1'] });
    metrics.setTable({ hash: 'two', routeIds: ['r2'], backends: ['b2'] });
    expect(metrics.routeLabel('r1')).toBe('r1');
    metrics.setTable({ hash: 'three', routeIds: ['r3'], backends: ['b3'] });
    expect(metrics.routeLabel('r1')).toBe(UNKNOWN_LABEL);
    expect(metrics.backendLabel('b2')).toBe('b2');
    const text = (await metrics.expose()).body;
    expect(text).toContain('switchyard_table_info{hash="three"} 1');
    expect(text).not.toContain('hash="two"');
    expect(metrics.tableHash).toBe('three');
  });

  it('counts reloads by result and upstream errors by bounded kind', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.setTable({ hash: 'h', routeIds: [], backends: ['shop/api-v2:80'] });
    metrics.observeReload(true);
    metrics.observeReload(false);
    metrics.observeReload(false);
    metrics.observeRequest(request({ backend: 'shop/api-v2:80', status: 503, upstreamError: 'connect' }));
    metrics.observeUpstreamError('shop/api-v2:80', 'made-up');
    const text = (await metrics.expose()).body;
    expect(text).toContain('switchyard_reloads_total{result="success"} 1');
    expect(text).toContain('switchyard_reloads_total{result="failure"} 2');
    expect(text).toContain('switchyard_upstream_errors_total{backend="shop/api-v2:80",kind="connect"} 1');
    expect(text).toContain('switchyard_upstream_errors_total{backend="shop/api-v2:80",kind="other"} 1');
  });

  it('includes the default process metrics unless asked not to', async () => {
    expect((await new GatewayMetrics().expose()).body).toContain('process_cpu_user_seconds_total');
    expect((await new GatewayMetrics({ defaultMetrics: false }).expose()).body).not.toContain('process_cpu_user_seconds_total');
  });
});
