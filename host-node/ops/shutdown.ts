/**
 * Shutdown on SIGTERM / SIGINT (security rule 10): readiness fails first (`/readyz` 503), then,
 * after the optional drain delay, the gateway drains (stops accepting, requests in flight finish
 * with `Connection: close`, idle keep-alive connections are closed) under the hard deadline
 * `--drain-timeout`; then the remaining resources close and the process exits 0.
 *
 * A second signal during a drain exits at once with status 1, unless `repeatForces` is off (in
 * cluster workers, where the primary forwards the signal the terminal also delivered, and the
 * primary enforces the deadline).
 */
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';

export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** Extra time after the drain deadline before the process gives up waiting for cleanup. */
export const CLEANUP_GRACE_MS = 5_000;

export interface ShutdownOptions {
  readiness: Readiness;
  /** Stops accepting and waits for requests in flight, cutting connections after `deadlineMs`. */
  drain: (deadlineMs: number) => Promise<unknown>;
  /** Run after the drain, in order (close the admin server, stop watchers...); failures are logged. */
  cleanup?: ReadonlyArray<() => Promise<void> | void>;
  drainTimeoutMs?: number;
  /** Time between failing readiness and starting the drain, for load balancers to notice. */
  drainDelayMs?: number;
  logger: Logger;
  exit?: (code: number) => void;
  /** A second signal exits immediately with status 1; default true. */
  repeatForces?: boolean;
  signals?: readonly NodeJS.Signals[];
}

export class Shutdown {
  readonly #options: ShutdownOptions;
  #started: Promise<void> | undefined;
  readonly #handler = (signal: NodeJS.Signals) => this.#onSignal(signal);
  readonly #signals: readonly NodeJS.Signals[];

  constructor(options: ShutdownOptions) {
    this.#options = options;
    this.#signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  }

  get started(): boolean {
    return this.#started !== undefined;
  }

  /** Handles the signals from now on (replacing Node's default exit). */
  install(): this {
    for (const signal of this.#signals) process.on(signal, this.#handler);
    return this;
  }

  uninstall(): void {
    for (const signal of this.#signals) process.off(signal, this.#handler);
  }

  #exit(code: number): void {
    (this.#options.exit ?? ((c: number) => process.exit(c)))(code);
  }

  #onSignal(signal: NodeJS.Signals): void {
    if (this.#started) {
      if (this.#options.repeatForces ?? true) {
        this.#options.logger.warn({ signal }, 'second signal during drain: exiting now');
        this.#exit(1);
      }
      return;
    }
    void this.begin(signal);
  }

  /** Starts the shutdown (once; later calls return the same promise). */
  begin(reason: string): Promise<void> {
    this.#started ??= this.#run(reason);
    return this.#started;
  }

  async #run(reason: string): Promise<void> {
    const { readiness, logger } = this.#options;
    const drainTimeoutMs = this.#options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const drainDelayMs = this.#options.drainDelayMs ?? 0;
    readiness.startDraining();
    logger.info({ reason, drainDelayMs, drainTimeoutMs }, 'shutting down: readiness failed, draining');
    const watchdog = setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      this.#exit(1);
    }, drainDelayMs + drainTimeoutMs + CLEANUP_GRACE_MS);
    try {
      if (drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
      const started = performance.now();
      await this.#options.drain(drainTimeoutMs);
      const elapsedMs = Math.round(performance.now() - started);
      if (elapsedMs >= drainTimeoutMs) logger.warn({ elapsedMs }, 'drain deadline reached: remaining connections were cut');
      else logger.info({ elapsedMs }, 'drained');
      for (const step of this.#options.cleanup ?? []) {
        try {
          await step();
        } catch (err) {
          logger.error({ err }, 'cleanup step failed during shutdown');
        }
      }
      logger.info('stopped');
    } catch (err) {
      logger.error({ err }, 'drain failed');
    } finally {
      clearTimeout(watchdog);
    }
    this.#exit(0);
  }
}
