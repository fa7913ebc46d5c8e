/**
 * `--workers N`: a node:cluster primary forks N workers that each run the whole gateway on the
 * same ports (the primary holds the listening sockets and hands connections out), each watching
 * the manifests and reloading on its own.
 *
 * The primary serves nothing itself. It runs the admin server for the whole process group:
 * `/readyz` is 200 when every worker is alive and ready and the group is not draining;
 * `/metrics` sums the workers' registries (prom-client `AggregatorRegistry`: counters and
 * histograms add up, `switchyard_table_info{hash}` counts the workers serving each table).
 *
 * SIGTERM / SIGINT on the primary: readiness fails, the signal is forwarded to every worker
 * (each drains under `--drain-timeout`), and the primary exits when they have all exited — 0 when
 * each exited cleanly — or kills the rest after the deadline plus a grace period. A worker that
 * dies while serving is replaced, unless workers keep dying (crash loop): then the group stops.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { startAdminOrLog, type AdminServer } from './admin.js';
import type { HostPort } from './options.js';
import type { Readiness, ReadinessReport } from './readiness.js';
import { CLEANUP_GRACE_MS, DEFAULT_DRAIN_TIMEOUT_MS } from './shutdown.js';

/** Environment variable carrying a worker's index (0-based) to the forked process. */
export const WORKER_INDEX_ENV = 'SWITCHYARD_WORKER_INDEX';

const STATE_MESSAGE = 'switchyard:worker-state';

interface WorkerStateMessage {
  type: typeof STATE_MESSAGE;
  ready: boolean;
  reasons: string[];
  hash?: string;
}

function isStateMessage(message: unknown): message is WorkerStateMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === STATE_MESSAGE;
}

/** Whether this process is a worker forked by a `--workers` primary. */
export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_INDEX_ENV] !== undefined;
}

export interface WorkerLinkOptions {
  readiness: Readiness;
  /** The worker's metrics registry, served (summed) by the primary's `/metrics`. */
  registry: Registry;
  /** The hash of the table being served, sent with each state report. */
  tableHash?: () => string | undefined;
  /** Called once when the primary goes away (the worker should then drain and exit). */
  onPrimaryGone: () => void;
}

export interface WorkerLink {
  /** Sends the current state now (after a reload, say). */
  report(): void;
  close(): void;
}

/** In a worker: reports readiness to the primary and answers its metrics requests. */
export function linkWorkerToPrimary(options: WorkerLinkOptions): WorkerLink {
  // Constructing an AggregatorRegistry installs prom-client's worker-side metrics responder.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([options.registry]);
  const send = (report: ReadinessReport) => {
    if (!process.connected || !process.send) return;
    const hash = options.tableHash?.();
    const message: WorkerStateMessage = { type: STATE_MESSAGE, ready: report.ready, reasons: report.reasons, ...(hash ? { hash } : {}) };
    process.send(message);
  };
  const stop = options.readiness.onChange(send);
  const onDisconnect = () => options.onPrimaryGone();
  process.once('disconnect', onDisconnect);
  send(options.readiness.readiness());
  return {
    report: () => send(options.readiness.readiness()),
    close() {
      stop();
      process.off('disconnect', onDisconnect);
    },
  };
}

export interface ClusterPrimaryOptions {
  workers: number;
  logger: Logger;
  /** Admin server address; null for none. */
  admin: HostPort | null;
  drainTimeoutMs?: number;
  /** Called once, when every worker reported ready for the first time. */
  onReady?: (info: { workers: number; hashes: string[] }) => void;
  /** Called with the process exit code when the group has stopped; default `process.exit`. */
  exit?: (code: number) => void;
  /** Worker deaths within `crashWindowMs` that stop the group instead of replacing the worker. */
  crashLimit?: number;
  crashWindowMs?: number;
}

interface WorkerSlot {
  index: number;
  worker: Worker;
  state: WorkerStateMessage | undefined;
}

export interface ClusterPrimary {
  readonly admin: AdminServer | null;
  readiness(): ReadinessReport;
  /** Starts the group shutdown (as SIGTERM does). */
  shutdown(reason: string): Promise<void>;
}

/** In the primary: forks the workers, serves the admin endpoints, forwards signals. */
export async function runClusterPrimary(options: ClusterPrimaryOptions): Promise<ClusterPrimary> {
  const { logger } = options;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const crashLimit = options.crashLimit ?? 5;
  const crashWindowMs = options.crashWindowMs ?? 30_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const slots = new Map<number, WorkerSlot>();
  const crashes: number[] = [];
  let stopping: Promise<void> | undefined;
  let announced = false;
  let failed = false;

  const readiness = (): ReadinessReport => {
    const reasons: string[] = [];
    if (stopping) reasons.push('draining');
    for (let index = 0; index < options.workers; index++) {
      const slot = slots.get(index);
      if (!slot || !slot.state) reasons.push(`worker ${index} starting`);
      else if (!slot.state.ready) reasons.push(`worker ${index}: ${slot.state.reasons.join(', ')}`);
    }
    return { ready: reasons.length === 0, reasons };
  };

  const fork = (index: number): void => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    const slot: WorkerSlot = { index, worker, state: undefined };
    slots.set(index, slot);
    worker.on('message', (message: unknown) => {
      if (!isStateMessage(message)) return;
      slot.state = message;
      if (!announced && readiness().ready) {
        announced = true;
        const hashes = [...new Set([...slots.values()].flatMap((s) => (s.state?.hash ? [s.state.hash] : [])))];
        options.onReady?.({ workers: options.workers, hashes });
      }
    });
    worker.on('exit', (code, signal) => {
      if (slots.get(index)?.worker === worker) slots.delete(index);
      if (stopping) return;
      logger.error({ worker: index, pid: worker.process.pid, code, signal }, 'worker exited unexpectedly');
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0]! < now - crashWindowMs) crashes.shift();
      if (crashes.length >= crashLimit) {
        logger.fatal({ crashes: crashes.length, windowMs: crashWindowMs }, 'workers keep exiting: stopping');
        failed = true;
        void shutdown('crash loop');
        return;
      }
      fork(index);
    });
  };

  const aggregator = new AggregatorRegistry();
  const admin = await startAdminOrLog(options.admin, logger, {
    readiness: { readiness },
    metrics: {
      async expose() {
        return { contentType: aggregator.contentType, body: await aggregator.clusterMetrics() };
      },
    },
  });

  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason, workers: slots.size, drainTimeoutMs }, 'shutting down: readiness failed, draining workers');
      const alive = [...slots.values()].map((s) => s.worker).filter((w) => !w.isDead());
      const exited = alive.map(
        (w) =>
          new Promise<boolean>((resolve) => {
            if (w.isDead()) resolve(w.process.exitCode === 0);
            else w.once('exit', (code) => resolve(code === 0));
          }),
      );
      for (const w of alive) w.process.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const w of alive) {
          if (!w.isDead()) {
            logger.error({ pid: w.process.pid }, 'worker did not exit after the drain deadline: killing it');
            w.process.kill('SIGKILL');
          }
        }
      }, drainTimeoutMs + CLEANUP_GRACE_MS);
      const clean = (await Promise.all(exited)).every(Boolean);
      clearTimeout(killer);
      await admin?.close();
      logger.info({ clean }, 'stopped');
      exit(clean && !failed ? 0 : 1);
    })();
    return stopping;
  };

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal during drain: killing workers and exiting now');
      for (const slot of slots.values()) slot.worker.process.kill('SIGKILL');
      exit(1);
      return;
    }
    void shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  for (let index = 0; index < options.workers; index++) fork(index);
  logger.info({ workers: options.workers, admin: admin?.url ?? null }, 'primary started');
  return { admin, readiness, shutdown };
}

/**
 * In a worker whose gateway could not start: lets go of the primary so the process can end
 * with its exit code (the IPC channel would keep it alive). Does nothing outside a cluster.
 */
export function leaveCluster(): void {
  if (isClusterWorker() && process.connected) process.disconnect();
}
