/**
 * The admin server: a separate, read-only HTTP listener (default 127.0.0.1:9901, loopback only)
 * with
 *
 * - `GET /healthz`: 200 while the process answers at all (liveness);
 * - `GET /readyz`: 200 when listeners are bound, a table is loaded and the process is not
 *   draining, else 503 with the reasons (readiness);
 * - `GET /metrics`: the Prometheus exposition.
 *
 * Nothing on it changes state. HEAD is answered like GET without a body; other methods get 405.
 * Timeouts are explicit (security rule 9): headers within 10 s, checked every second.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HostPort } from './options.js';
import type { ReadinessSource } from './readiness.js';

export interface MetricsSource {
  expose(): Promise<{ contentType: string; body: string }>;
}

export interface AdminServerOptions extends HostPort {
  readiness: ReadinessSource;
  metrics: MetricsSource;
  /** Called with unexpected errors (a failing metrics collection); the client gets a 500. */
  onError?: (err: unknown) => void;
}

export interface AdminServer {
  readonly host: string;
  /** The bound port (the system's choice when asked for port 0). */
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export const ADMIN_HEADERS_TIMEOUT_MS = 10_000;
export const ADMIN_REQUEST_TIMEOUT_MS = 30_000;
export const ADMIN_KEEP_ALIVE_TIMEOUT_MS = 5_000;

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(head ? undefined : body);
}

const TEXT = 'text/plain; charset=utf-8';

async function handle(options: AdminServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = req.url ?? '/';
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  const head = req.method === 'HEAD';
  if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') {
    send(res, 404, TEXT, 'not found: the admin server answers /healthz, /readyz and /metrics\n', head);
    return;
  }
  if (req.method !== 'GET' && !head) {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, TEXT, 'method not allowed\n', head);
    return;
  }
  if (path === '/healthz') {
    send(res, 200, TEXT, 'ok\n', head);
  } else if (path === '/readyz') {
    const report = await options.readiness.readiness();
    if (report.ready) send(res, 200, TEXT, 'ready\n', head);
    else send(res, 503, TEXT, `not ready: ${report.reasons.join(', ')}\n`, head);
  } else {
    const { contentType, body } = await options.metrics.expose();
    send(res, 200, contentType, body, head);
  }
}

/** Starts the admin server; resolves once it listens. */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server: Server = createServer(
    {
      headersTimeout: ADMIN_HEADERS_TIMEOUT_MS,
      requestTimeout: ADMIN_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: ADMIN_KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      // Request bodies are never read: discard whatever arrives.
      req.resume();
      handle(options, req, res).catch((err: unknown) => {
        options.onError?.(err);
        if (!res.headersSent) send(res, 500, TEXT, 'internal error\n', req.method === 'HEAD');
        else res.destroy();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => options.onError?.(err));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Starts the admin server; a port already taken is logged and the gateway serves without it
 * (the data plane does not go down for its admin port; `/readyz` probes then fail visibly).
 */
export async function startAdminOrLog(
  address: HostPort | null,
  logger: Logger,
  options: Omit<AdminServerOptions, 'host' | 'port' | 'onError'>,
): Promise<AdminServer | null> {
  if (!address) return null;
  try {
    const admin = await startAdminServer({ ...address, ...options, onError: (err) => logger.error({ err }, 'admin server error') });
    logger.info({ admin: admin.url }, 'admin server listening');
    return admin;
  } catch (err) {
    logger.error({ err, address }, 'admin server could not listen: serving without /healthz, /readyz and /metrics');
    return null;
  }
}
