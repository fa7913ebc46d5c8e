/**
 * Prometheus metrics of one gateway process (prom-client, one Registry per process):
 *
 * - `switchyard_requests_total{route,backend,code_class}` counter
 * - `switchyard_request_duration_seconds{route}` histogram
 * - `switchyard_reloads_total{result}` counter (`success` | `failure`)
 * - `switchyard_table_info{hash}` gauge: 1 for the table being served
 * - `switchyard_upstream_errors_total{backend,kind}` counter
 * - the prom-client default process metrics (`process_*`, `nodejs_*`)
 *
 * Label values are bounded: `route` and `backend` must be ids of the current (or the previous)
 * table, `kind` one of UPSTREAM_ERROR_KINDS; anything else is reported as `none` (`other` for
 * kinds), so a client cannot create series by sending requests.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackendInfo, TableManifest } from '../../src/compile/manifest.js';
import type { RequestEndInfo, TableLabels } from './types.js';

/** The label value for a route or backend that is not in the table (or no route at all). */
export const UNKNOWN_LABEL = 'none';

export const UPSTREAM_ERROR_KINDS = ['connect', 'timeout', 'reset', 'tls', 'protocol', 'other'] as const;
export type UpstreamErrorKind = (typeof UPSTREAM_ERROR_KINDS)[number];

/** Request duration buckets in seconds: 1 ms to 30 s. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** `2xx` for 200..299 and so on; `none` when no valid status was sent. */
export function codeClass(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? `${Math.floor(status / 100)}xx` : UNKNOWN_LABEL;
}

export interface GatewayMetricsOptions {
  /** Registry to register in; default a new one. */
  registry?: Registry;
  /** Collect prom-client's default process metrics; default true. */
  defaultMetrics?: boolean;
}

export class GatewayMetrics {
  readonly registry: Registry;
  readonly #requests: Counter<'route' | 'backend' | 'code_class'>;
  readonly #duration: Histogram<'route'>;
  readonly #reloads: Counter<'result'>;
  readonly #tableInfo: Gauge<'hash'>;
  readonly #upstreamErrors: Counter<'backend' | 'kind'>;
  /** Label values of the current table and of the one before it (requests in flight during a swap). */
  #routes = new Set<string>();
  #backends = new Set<string>();
  #previousRoutes = new Set<string>();
  #previousBackends = new Set<string>();
  #hash: string | undefined;

  constructor(options: GatewayMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'switchyard_requests_total',
      help: 'Requests answered, by route id, backend and status class.',
      labelNames: ['route', 'backend', 'code_class'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'switchyard_request_duration_seconds',
      help: 'Time from the first request byte to the last response byte, by route id.',
      labelNames: ['route'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#reloads = new Counter({
      name: 'switchyard_reloads_total',
      help: 'Route table reloads, by result (a failed reload keeps the last good table).',
      labelNames: ['result'],
      registers,
    });
    this.#tableInfo = new Gauge({
      name: 'switchyard_table_info',
      help: 'The route table being served (1 per process serving the table with this hash).',
      labelNames: ['hash'],
      registers,
      aggregator: 'sum',
    });
    this.#upstreamErrors = new Counter({
      name: 'switchyard_upstream_errors_total',
      help: 'Failed upstream exchanges, by backend and kind (connect, timeout, reset, tls, protocol, other).',
      labelNames: ['backend', 'kind'],
      registers,
    });
    for (const result of ['success', 'failure']) this.#reloads.inc({ result }, 0);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The hash of the table being served, as last set. */
  get tableHash(): string | undefined {
    return this.#hash;
  }

  /** A new table is being served: its hash becomes the only `switchyard_table_info` series. */
  setTable(labels: TableLabels): void {
    this.#previousRoutes = this.#routes;
    this.#previousBackends = this.#backends;
    this.#routes = new Set(labels.routeIds);
    this.#backends = new Set(labels.backends);
    this.#hash = labels.hash;
    this.#tableInfo.reset();
    this.#tableInfo.set({ hash: labels.hash }, 1);
  }

  routeLabel(routeId: string | null | undefined): string {
    if (routeId == null) return UNKNOWN_LABEL;
    return this.#routes.has(routeId) || this.#previousRoutes.has(routeId) ? routeId : UNKNOWN_LABEL;
  }

  backendLabel(backend: string | null | undefined): string {
    if (backend == null) return UNKNOWN_LABEL;
    return this.#backends.has(backend) || this.#previousBackends.has(backend) ? backend : UNKNOWN_LABEL;
  }

  observeRequest(info: RequestEndInfo): void {
    const route = this.routeLabel(info.routeId);
    const backend = this.backendLabel(info.backend);
    this.#requests.inc({ route, backend, code_class: codeClass(info.status) });
    if (Number.isFinite(info.durationMs) && info.durationMs >= 0) this.#duration.observe({ route }, info.durationMs / 1000);
    if (info.upstreamError !== undefined) this.observeUpstreamError(info.backend, info.upstreamError);
  }

  observeUpstreamError(backend: string | null | undefined, kind: string): void {
    const known = (UPSTREAM_ERROR_KINDS as readonly string[]).includes(kind) ? kind : 'other';
    this.#upstreamErrors.inc({ backend: this.backendLabel(backend), kind: known });
  }

  observeReload(ok: boolean): void {
    this.#reloads.inc({ result: ok ? 'success' : 'failure' });
  }

  /** The exposition text and its content type. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** The `backend` label of a backend reference: `namespace/name:port` of its Service (as the gateway reports it). */
export function backendLabelOf(backend: BackendInfo): string {
  const ref = backend.service;
  if (ref) return `${ref.namespace}/${ref.name}:${ref.port}`;
  return backend.port === undefined ? `${backend.namespace}/${backend.name}` : `${backend.namespace}/${backend.name}:${backend.port}`;
}

/** The label values a compiled table allows: its match and rule ids and its backends. */
export function tableLabels(manifest: TableManifest, hash: string): TableLabels {
  const routeIds = new Set<string>();
  const backends = new Set<string>();
  for (const match of manifest.matches) routeIds.add(match.id);
  for (const rule of manifest.rules) {
    routeIds.add(rule.id);
    for (const b of rule.backends) backends.add(backendLabelOf(b));
    for (const f of rule.filterBackends) backends.add(backendLabelOf(f.target));
  }
  return { hash, routeIds, backends };
}
