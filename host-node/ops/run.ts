/**
 * The operations layer around a serving gateway (`switchyard serve`): metrics, access log,
 * readiness, the admin server, SIGTERM/SIGINT drain, and with `--workers` the cluster primary
 * that forks the gateway processes and serves the admin endpoints for all of them.
 */
import type { TableManifest } from '../../src/compile/manifest.js';
import { startAdminOrLog, type AdminServer } from './admin.js';
import { createAccessLog, type Logger } from './logging.js';
import { GatewayMetrics, tableLabels } from './metrics.js';
import type { HostPort, LogLevel } from './options.js';
import { Readiness } from './readiness.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, Shutdown } from './shutdown.js';
import type { RequestEndInfo } from './types.js';
import { isClusterWorker, linkWorkerToPrimary, runClusterPrimary, WORKER_INDEX_ENV, type WorkerLink } from './workers.js';

export interface OpsOptions {
  /** Admin server address; null disables it. */
  admin: HostPort | null;
  logLevel: LogLevel;
  accessLog: boolean;
  drainTimeoutMs: number;
  /** Time readiness fails before the drain starts. */
  drainDelayMs: number;
  /** Gateway processes; 1 serves in this process, more forks a cluster. */
  workers: number;
}

export const DEFAULT_OPS_OPTIONS: OpsOptions = {
  admin: { host: '127.0.0.1', port: 9901 },
  logLevel: 'info',
  accessLog: true,
  drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS,
  drainDelayMs: 0,
  workers: 1,
};

/** What the operations layer needs from a started gateway (`NodeGateway` has it all). */
export interface OperatedGateway {
  /** sha256 of the table being served. */
  readonly tableHash: string;
  /** The generation new requests start on: its manifest names the routes and backends. */
  readonly current: { readonly manifest: TableManifest };
  onRequestEnd(listener: (info: RequestEndInfo) => void): () => void;
  onReload(listener: (info: { changed: boolean; rejected: boolean; tableHash: string }) => void): () => void;
  /** Stops accepting, lets requests in flight finish (at most `timeoutMs`), then closes everything. */
  drain(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface OperatedProcess {
  readonly admin: AdminServer | null;
  readonly metrics: GatewayMetrics | null;
  readonly readiness: () => { ready: boolean; reasons: string[] };
  /** Starts the shutdown, as SIGTERM does. */
  shutdown(reason: string): Promise<void>;
}

export interface AttachOptions {
  logger: Logger;
  /** Run after the drain, before the process exits (after the gateway and the admin server closed). */
  cleanup?: ReadonlyArray<() => Promise<void> | void>;
  /** Exit hook (default `process.exit`). */
  exit?: (code: number) => void;
}

/**
 * Puts a started gateway under the operations layer: metrics and access log from its request
 * and reload reports, `/healthz` `/readyz` `/metrics` (not in a cluster worker: the primary
 * serves them), and the signal-driven drain.
 */
export async function attachOps(gateway: OperatedGateway, options: OpsOptions, attach: AttachOptions): Promise<OperatedProcess> {
  const worker = isClusterWorker();
  const logger = worker ? attach.logger.child({ worker: Number(process.env[WORKER_INDEX_ENV]) }) : attach.logger;
  const metrics = new GatewayMetrics();
  const readiness = new Readiness();
  const access = createAccessLog(logger, options.accessLog);
  metrics.setTable(tableLabels(gateway.current.manifest, gateway.tableHash));
  let link: WorkerLink | undefined;
  const unsubscribe = [
    gateway.onRequestEnd((info) => {
      metrics.observeRequest(info);
      access.log(info);
    }),
    gateway.onReload((info) => {
      metrics.observeReload(!info.rejected);
      if (info.rejected) logger.warn({ table: info.tableHash }, 'reload rejected: the last good table keeps serving');
      else if (info.changed) {
        metrics.setTable(tableLabels(gateway.current.manifest, gateway.tableHash));
        logger.info({ table: gateway.tableHash }, 'reloaded');
        link?.report();
      }
    }),
  ];

  const admin = worker ? null : await startAdminOrLog(options.admin, logger, { readiness, metrics });
  const shutdown = new Shutdown({
    readiness,
    logger,
    drainTimeoutMs: options.drainTimeoutMs,
    drainDelayMs: worker ? 0 : options.drainDelayMs,
    // In a worker the primary forwards the signal a terminal also delivered, and enforces the deadline.
    repeatForces: !worker,
    drain: async (deadlineMs) => {
      await gateway.drain(deadlineMs);
      readiness.setListening(false);
    },
    cleanup: [() => link?.close(), () => unsubscribe.forEach((stop) => stop()), () => admin?.close(), ...(attach.cleanup ?? [])],
    ...(attach.exit ? { exit: attach.exit } : {}),
  }).install();

  readiness.setTableLoaded(true);
  readiness.setListening(true);
  if (worker) {
    link = linkWorkerToPrimary({
      readiness,
      registry: metrics.registry,
      tableHash: () => metrics.tableHash,
      onPrimaryGone: () => void shutdown.begin('primary exited'),
    });
  }
  return {
    admin,
    metrics,
    readiness: () => readiness.readiness(),
    shutdown: (reason) => shutdown.begin(reason),
  };
}

/** The `--workers` primary: forks the gateway processes (each runs this same command) and serves the admin endpoints. */
export async function runPrimary(options: OpsOptions, attach: AttachOptions): Promise<OperatedProcess> {
  const primary = await runClusterPrimary({
    workers: options.workers,
    logger: attach.logger,
    admin: options.admin,
    // The primary's deadline covers the workers' drain delay and drain.
    drainTimeoutMs: options.drainTimeoutMs + options.drainDelayMs,
    onReady: (info) => attach.logger.info(info, 'all workers ready'),
    ...(attach.exit ? { exit: attach.exit } : {}),
  });
  return { admin: primary.admin, metrics: null, readiness: primary.readiness, shutdown: primary.shutdown };
}

/** Whether this process should be the cluster primary for these options (and serve nothing itself). */
export function isPrimaryFor(options: Pick<OpsOptions, 'workers'>): boolean {
  return options.workers > 1 && !isClusterWorker();
}
