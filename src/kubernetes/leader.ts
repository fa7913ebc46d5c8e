/**
 * Leader election through a `coordination.k8s.io/v1` Lease, with client-go's rules:
 *
 *  - a candidate takes the Lease when it names no holder, names this identity, or has not been
 *    renewed for `leaseDurationSeconds` as observed locally (no trust in other clocks);
 *  - every write carries the Lease's resourceVersion: of two candidates, one wins, the other
 *    gets 409 Conflict;
 *  - the leader renews every `retryPeriod`; when no renewal succeeded for `renewDeadline` it
 *    stops leading (and goes back to being a candidate);
 *  - on stop the leader releases the Lease (no holder, 1 s duration) so another takes over at once.
 *
 * Defaults are client-go's: 15 s lease, 10 s renew deadline, 2 s retry period.
 */
import { sleep } from './backoff.js';
import { isApiError, type KubeClient } from './client.js';

export interface LeaderElectionConfig {
  /** Namespace and name of the Lease. */
  namespace: string;
  name: string;
  /** This candidate's identity (pod name plus a unique suffix). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface LeaderElectorOptions extends LeaderElectionConfig {
  client: KubeClient;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log: (line: string) => void;
}

export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; [key: string]: unknown };
  spec?: LeaseSpec;
}

export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #abort = new AbortController();
  #leader = false;
  #running: Promise<void> | undefined;
  /** The Lease record as last read or written, and when (monotonic ms) it last changed. */
  #observedRecord = '';
  #observedAt = 0;

  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.#leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.#retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (!(this.#leaseDurationMs > this.#renewDeadlineMs)) throw new Error('the lease duration must be greater than the renew deadline');
    if (!(this.#renewDeadlineMs > this.#retryPeriodMs * 1.2)) throw new Error('the renew deadline must be greater than 1.2 x the retry period');
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  get identity(): string {
    return this.#options.identity;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops campaigning; a leader releases the Lease first. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
    if (this.#leader) {
      await this.#release();
      this.#setLeader(false);
    }
  }

  get #path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#options.namespace)}/leases`;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let lastRenew = 0;
    while (!signal.aborted) {
      // One attempt may take at most the renew deadline (a hung connection must not hold leadership).
      const attempt = AbortSignal.any([signal, AbortSignal.timeout(this.#renewDeadlineMs)]);
      const ok = await this.#tryAcquireOrRenew(attempt).catch((err: unknown) => {
        if (!signal.aborted) this.#options.log(`switchyard: kubernetes: lease ${this.#options.namespace}/${this.#options.name}: ${(err as Error).message}`);
        return false;
      });
      if (signal.aborted) break;
      const now = performance.now();
      if (ok) {
        lastRenew = now;
        this.#setLeader(true);
        await sleep(this.#retryPeriodMs, signal);
      } else if (this.#leader && now - lastRenew < this.#renewDeadlineMs) {
        await sleep(Math.min(this.#retryPeriodMs, this.#renewDeadlineMs - (now - lastRenew)), signal);
      } else {
        if (this.#leader) this.#options.log(`switchyard: kubernetes: lease ${this.#options.namespace}/${this.#options.name} not renewed within the renew deadline; no longer leading`);
        this.#setLeader(false);
        await sleep(this.#retryPeriodMs * (1 + Math.random() * 0.2), signal);
      }
    }
  }

  #setLeader(value: boolean): void {
    if (this.#leader === value) return;
    this.#leader = value;
    if (value) {
      this.#options.log(`switchyard: kubernetes: ${this.#options.identity} leads (lease ${this.#options.namespace}/${this.#options.name})`);
      this.#options.onStartedLeading();
    } else {
      this.#options.onStoppedLeading();
    }
  }

  #observe(lease: Lease): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== this.#observedRecord) {
      this.#observedRecord = record;
      this.#observedAt = performance.now();
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, name, namespace, identity } = this.#options;
    const now = microTime(new Date());
    const duration = Math.max(1, Math.ceil(this.#leaseDurationMs / 1000));
    let lease: Lease;
    try {
      lease = await client.request<Lease>('GET', `${this.#path}/${encodeURIComponent(name)}`, { signal });
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
      const created: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      };
      try {
        this.#observe(await client.request<Lease>('POST', this.#path, { body: created, signal }));
        return true;
      } catch (createErr) {
        if (isApiError(createErr, 409)) return false; // another candidate created it first
        throw createErr;
      }
    }
    this.#observe(lease);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const ours = holder === identity;
    const expired = performance.now() - this.#observedAt >= (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && !ours && !expired) return false;
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: duration,
        renewTime: now,
        acquireTime: ours && spec.acquireTime ? spec.acquireTime : now,
        leaseTransitions: ours ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + (holder !== '' ? 1 : 0),
      },
    };
    try {
      this.#observe(await client.request<Lease>('PUT', `${this.#path}/${encodeURIComponent(name)}`, { body: next, signal }));
      return true;
    } catch (err) {
      if (isApiError(err, 409)) return false; // someone else wrote it since we read it
      throw err;
    }
  }

  /**
   * Gives the Lease up: no holder, so the next candidate takes it without waiting for expiry.
   * Read first: a renewal cut short by the stop may still have reached the server.
   */
  async #release(): Promise<void> {
    const { client, name, namespace, identity } = this.#options;
    const path = `${this.#path}/${encodeURIComponent(name)}`;
    try {
      const lease = await client.request<Lease>('GET', path, { signal: AbortSignal.timeout(this.#renewDeadlineMs) });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(new Date());
      const released: Lease = { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now } };
      await client.request<Lease>('PUT', path, { body: released, signal: AbortSignal.timeout(this.#renewDeadlineMs) });
      this.#options.log(`switchyard: kubernetes: released lease ${namespace}/${name}`);
    } catch (err) {
      this.#options.log(`switchyard: kubernetes: releasing lease ${namespace}/${name}: ${(err as Error).message}`);
    }
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}
