/**
 * Keep-alive connection pools, one per endpoint origin, protocol and TLS settings, shared by
 * every table generation that reaches the endpoint. A generation holds the pools it uses; a
 * pool no live generation holds is closed, which lets the requests already on it finish first.
 */
import { Pool, type Dispatcher } from 'undici';
import { tlsConnectOptions, type UpstreamTls } from './backend-tls.js';
import { timedConnector } from './connector.js';
import { OutlierDetector, poolKey, type UpstreamTarget } from './endpoints.js';
import { H2cUpstream } from './h2c-upstream.js';

/** What the proxy dispatches requests to: undici pools, and node:http2 sessions for h2c (which keep response trailers). */
export interface UpstreamDispatcher {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

export interface UpstreamOptions {
  /** Idle upstream connections are closed after this long (ms). */
  keepAliveTimeoutMs: number;
  /** TCP connect timeout (ms); a black-holed endpoint answers 503 after it. */
  connectTimeoutMs: number;
  /** Time between connect probes of an endpoint taken out of rotation after a connect failure (ms). */
  outlierProbeIntervalMs: number;
}

export const DEFAULT_UPSTREAM_OPTIONS: UpstreamOptions = { keepAliveTimeoutMs: 4_000, connectTimeoutMs: 10_000, outlierProbeIntervalMs: 500 };

/** Pool keys by target (targets never change; `poolKey` builds a new string per call, and `get` runs per request). */
const keys = new WeakMap<UpstreamTarget, string>();

function keyOf(target: UpstreamTarget): string {
  let key = keys.get(target);
  if (key === undefined) keys.set(target, (key = poolKey(target)));
  return key;
}

interface Entry {
  dispatcher: UpstreamDispatcher;
  holders: number;
}

export class UpstreamPools {
  private readonly entries = new Map<string, Entry>();
  /** Endpoints out of rotation after connect failures, across generations. */
  readonly outliers: OutlierDetector;

  constructor(private readonly options: UpstreamOptions = DEFAULT_UPSTREAM_OPTIONS) {
    this.outliers = new OutlierDetector({ probeIntervalMs: options.outlierProbeIntervalMs, connectTimeoutMs: options.connectTimeoutMs });
  }

  /** Takes a hold on the pools of `targets`, creating the missing ones. */
  hold(targets: Iterable<UpstreamTarget>): void {
    for (const target of targets) {
      const key = poolKey(target);
      const entry = this.entries.get(key);
      if (entry) entry.holders++;
      else this.entries.set(key, { dispatcher: this.create(target), holders: 1 });
    }
  }

  /** Releases holds taken by `hold`; pools left without holders close gracefully. */
  release(targets: Iterable<UpstreamTarget>): void {
    for (const target of targets) {
      const key = poolKey(target);
      const entry = this.entries.get(key);
      if (!entry || --entry.holders > 0) continue;
      this.entries.delete(key);
      entry.dispatcher.close().catch(() => undefined);
    }
  }

  /**
   * The pool for `target`. A target outside every held set (the caller's generation was
   * released) still gets a pool, which the next release of it closes.
   */
  get(target: UpstreamTarget): UpstreamDispatcher {
    const entry = this.entries.get(keyOf(target));
    if (entry) return entry.dispatcher;
    this.hold([target]);
    return this.entries.get(poolKey(target))!.dispatcher;
  }

  /** Open pools (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every pool, waiting for requests on them to finish. */
  async close(): Promise<void> {
    this.outliers.close();
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.dispatcher.close().catch(() => undefined)));
  }

  /** Closes every pool at once, failing requests still on them. */
  async destroy(): Promise<void> {
    this.outliers.close();
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.dispatcher.destroy().catch(() => undefined)));
  }

  private create(target: UpstreamTarget): UpstreamDispatcher {
    if (!target.tls && target.protocol === 'h2c') return new H2cUpstream(target.origin, { keepAliveTimeoutMs: this.options.keepAliveTimeoutMs, connectTimeoutMs: this.options.connectTimeoutMs });
    // HTTP/2 backends behind TLS are offered h2 by ALPN (TLS has no prior-knowledge mode).
    const allowH2 = target.tls !== undefined && target.protocol === 'h2c';
    const pool = new Pool(target.origin, {
      keepAliveTimeout: this.options.keepAliveTimeoutMs,
      connect: timedConnector({ ...(target.tls ? tlsConnectOptions(target.tls) : {}), allowH2 }, this.options.connectTimeoutMs),
      allowH2,
      // Timeouts are the route's (`timeouts`), enforced per request by the proxy.
      headersTimeout: 0,
      bodyTimeout: 0,
      connections: null,
    });
    return target.tls ? withServerName(pool, target.tls) : pool;
  }
}

/**
 * Pins every request's TLS server name to the policy's. undici otherwise derives it from each
 * request's Host header, and reconnects whenever that changes.
 */
function withServerName(pool: Pool, tls: UpstreamTls): Dispatcher {
  return pool.compose((dispatch) => (opts, handler) => dispatch(Object.assign({}, opts, { servername: tls.servername }), handler));
}
