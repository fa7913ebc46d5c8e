/**
 * The Node gateway: serves the routes of Gateway API manifests on every ready listener (HTTP and
 * HTTPS through the route table; TCP, TLS and UDP through host-node/l4), reloads when the
 * manifests change, and exposes the hooks operations code builds on (request and reload
 * callbacks, drain, close).
 *
 * Reload: the pipeline runs again; validation errors keep the last good snapshot serving; an
 * unchanged table, endpoint set and socket layout change nothing; otherwise a new generation
 * (router + endpoints) is swapped in atomically and sockets are bound, updated or closed.
 */
import { rename, writeFile } from 'node:fs/promises';
import { formatDiagnostic } from '../src/diagnostics.js';
import type { LoadResult } from '../src/load/load.js';
import { DEFAULT_CONTROLLER_NAME } from '../src/resolve/types.js';
import { ValidationMemo } from '../src/validate/index.js';
import { AddressPool } from './addresses.js';
import { Generation } from './generation.js';
import { GatewayHandler } from './handler.js';
import { ForwardingTrust } from './headers.js';
import { createL4Socket, DEFAULT_L4_LIMITS, type L4Context, type L4Limits, type L4Refusal, type L4Socket } from './l4/index.js';
import type { ServedListener, SocketPlan } from './listeners.js';
import { Observers, type ReloadInfo, type ReloadListener, type RequestEndListener } from './observe.js';
import { createGatewaySocket, DEFAULT_LIMITS, DRAIN_IDLE_GRACE_MS, listen, type GatewaySocket, type ServerLimits } from './servers.js';
import { keepSnapshot, takeSnapshot, type KeptSnapshot, type Snapshot } from './snapshot.js';
import { fileSource, type ObjectSource } from './sources.js';
import { StatusYaml } from './status-file.js';
import { DEFAULT_UPSTREAM_OPTIONS, UpstreamPools, type UpstreamOptions } from './upstreams.js';
import type { ManifestWatcher } from './watch.js';

export interface NodeGatewayOptions {
  /** Manifest files and directories (`-` for stdin, which is read once and never watched). */
  paths: readonly string[];
  /** Where the objects come from instead of `paths` (e.g. the cluster in Kubernetes mode). */
  source?: ObjectSource;
  /** Added to every listener port. Default 0. */
  portOffset?: number;
  /** Address for Gateways without their own address. Default `0.0.0.0`. */
  bind?: string;
  /** IPv4 CIDR handing each Gateway without `spec.addresses` its own address. */
  addressPool?: string;
  controllerName?: string;
  /** Ports of the listeners serving Ingresses of Switchyard's IngressClass. Default 80 and 443. */
  ingress?: { httpPort?: number; httpsPort?: number };
  /** Written with the computed status (YAML) whenever it changes, once the table it belongs to serves. */
  statusFile?: string;
  /** Reload when the manifests change. Default false. */
  watch?: boolean;
  limits?: Partial<ServerLimits>;
  /**
   * Peers (addresses or CIDR ranges) whose `X-Forwarded-For` and `X-Request-Id` are kept and
   * appended to. Default: none, so every client's are replaced.
   */
  trustedProxies?: readonly string[];
  upstream?: Partial<UpstreamOptions>;
  /** TCP/TLS/UDP listener limits (the backend connect timeout defaults to `upstream.connectTimeoutMs`). */
  l4?: Partial<L4Limits>;
  /** Diagnostics and operational messages, one line each. Default: stderr. */
  log?: (line: string) => void;
}

interface BoundSocket {
  plan: SocketPlan;
  /** A GatewaySocket for HTTP/HTTPS plans, an L4Socket for TCP/TLS/UDP plans. */
  socket: GatewaySocket | L4Socket;
}

function isHttpPlan(plan: SocketPlan): plan is Extract<SocketPlan, { scheme: 'http' | 'https' }> {
  return plan.scheme === 'http' || plan.scheme === 'https';
}

export class NodeGateway {
  private readonly observers = new Observers();
  private readonly pools: UpstreamPools;
  private readonly handler: GatewayHandler;
  private readonly l4: L4Context;
  private readonly sockets = new Map<string, BoundSocket>();
  private readonly pool: AddressPool | undefined;
  private readonly log: (line: string) => void;
  private readonly source: ObjectSource;
  /** Valid objects across reloads: unchanged ones are not validated again. */
  private readonly validation = new ValidationMemo();
  private generation!: Generation;
  private snapshot!: KeptSnapshot;
  private statusText: string | undefined;
  /** Per-object status text kept across reloads (`statusFile`). */
  private readonly statusYaml = new StatusYaml();
  private watcher: ManifestWatcher | undefined;
  private reloading: Promise<ReloadInfo> | undefined;
  private closed = false;

  private constructor(private readonly options: NodeGatewayOptions) {
    this.pools = new UpstreamPools({ ...DEFAULT_UPSTREAM_OPTIONS, ...options.upstream });
    this.pool = options.addressPool !== undefined ? new AddressPool(options.addressPool) : undefined;
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.source = options.source ?? fileSource(options.paths);
    this.handler = new GatewayHandler({ current: () => this.generation, observers: this.observers, trust: new ForwardingTrust(options.trustedProxies) });
    this.l4 = {
      endpoints: () => this.generation.endpoints,
      limits: { ...DEFAULT_L4_LIMITS, connectTimeoutMs: options.upstream?.connectTimeoutMs ?? DEFAULT_L4_LIMITS.connectTimeoutMs, ...options.l4 },
      refused: refusalLog(this.log),
    };
  }

  /** Loads the manifests, binds every listener and starts serving; rejects when a socket cannot be bound. */
  static async start(options: NodeGatewayOptions): Promise<NodeGateway> {
    const gateway = new NodeGateway(options);
    await gateway.boot();
    return gateway;
  }

  /** sha256 of the route table being served. */
  get tableHash(): string {
    return this.generation.tableHash;
  }

  /** Every listener being served, with the address and port it is bound to. */
  get listeners(): ServedListener[] {
    return [...this.sockets.values()].flatMap((b) => b.plan.listeners);
  }

  /** The generation new requests start on (tests, admin). */
  get current(): Generation {
    return this.generation;
  }

  /** Called after every request with its route, backend, status, duration and sizes. Returns an unsubscribe function. */
  onRequestEnd(listener: RequestEndListener): () => void {
    return subscribe(this.observers.requestEnd, listener);
  }

  /** Called after every reload attempt (changed, unchanged or rejected). Returns an unsubscribe function. */
  onReload(listener: ReloadListener): () => void {
    return subscribe(this.observers.reload, listener);
  }

  /** Re-runs the pipeline and applies the result; concurrent calls share one run. */
  reload(): Promise<ReloadInfo> {
    return this.run();
  }

  /**
   * Graceful shutdown: stop accepting, ask open connections to close after their current
   * request (`Connection: close`, HTTP/2 GOAWAY), wait for requests in flight (at most
   * `timeoutMs`), then close everything.
   */
  async drain(timeoutMs = 30_000): Promise<void> {
    await this.stopWatching();
    for (const { socket } of this.sockets.values()) socket.drain();
    const deadline = Date.now() + timeoutMs;
    // Requests already sent on idle keep-alive connections get the sockets' grace to arrive.
    await delay(Math.min(DRAIN_IDLE_GRACE_MS, timeoutMs));
    while (this.generation.active > 0 && Date.now() < deadline) await delay(Math.min(50, Math.max(1, deadline - Date.now())));
    await this.close();
  }

  /** Closes every socket and upstream pool at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopWatching();
    await this.source.close?.();
    await Promise.all([...this.sockets.values()].map(({ socket }) => closeSocket(socket)));
    this.sockets.clear();
    this.generation.retire();
    await this.pools.destroy();
  }

  private async boot(): Promise<void> {
    const snapshot = await this.take();
    this.report(snapshot);
    this.generation = await Generation.create(snapshot.table, snapshot.result.objects, this.pools, { backendCertificates: snapshot.backendCertificates, backends: snapshot.backends });
    this.snapshot = keepSnapshot(snapshot);
    try {
      for (const plan of snapshot.layout.sockets) await this.bind(plan);
    } catch (err) {
      await this.close();
      throw err;
    }
    await this.writeStatus(snapshot);
    await this.source.resolved?.(snapshot.result);
    if (this.options.watch) {
      this.watcher = this.source.watch(async (quiet) => {
        await this.run(quiet);
      });
      // Ready means watched: a change right after start must not fall before the initial scan.
      await this.watcher.ready;
    }
  }

  /** `quiet`: see `settled`. */
  private run(quiet?: Promise<void>): Promise<ReloadInfo> {
    this.reloading ??= this.apply(quiet).finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  /** `quiet`: the source is changing until it settles (see `settled`). */
  private async apply(quiet?: Promise<void>): Promise<ReloadInfo> {
    let snapshot: Snapshot;
    try {
      snapshot = await this.settled(quiet);
    } catch (err) {
      this.log(`switchyard: reload failed, keeping the current table: ${(err as Error).message}`);
      return this.reloaded({ changed: false, tableHash: this.tableHash, rejected: true, diagnostics: [] });
    }
    this.report(snapshot);
    if (snapshot.rejected) {
      this.log(`switchyard: manifests have errors, keeping table ${this.tableHash}`);
      return this.reloaded({ changed: false, tableHash: this.tableHash, rejected: true, diagnostics: snapshot.result.diagnostics });
    }
    const changed = await this.swap(snapshot);
    // Status is written once the new table serves: rendering it is not on the way to serving.
    await this.writeStatus(snapshot);
    await this.source.resolved?.(snapshot.result);
    return this.reloaded({ changed, tableHash: this.tableHash, rejected: false, diagnostics: snapshot.result.diagnostics });
  }

  /** Serves an accepted snapshot: a new generation when the table or endpoints changed, sockets when the layout did. */
  private async swap(snapshot: Snapshot): Promise<boolean> {
    const previous = this.snapshot;
    const contentChanged = snapshot.table.sha256 !== previous.table.sha256 || snapshot.endpointsHash !== previous.endpointsHash;
    const layoutChanged = signatures(snapshot) !== signatures(previous);
    this.snapshot = keepSnapshot(snapshot);
    if (this.closed || (!contentChanged && !layoutChanged)) return false;
    if (contentChanged) {
      const next = await Generation.create(snapshot.table, snapshot.result.objects, this.pools, { backendCertificates: snapshot.backendCertificates, backends: snapshot.backends });
      const old = this.generation;
      this.generation = next;
      old.retire();
    }
    if (layoutChanged) await this.rebind(snapshot);
    return true;
  }

  private reloaded(info: ReloadInfo): ReloadInfo {
    this.observers.emitReload(info);
    return info;
  }

  /**
   * The snapshot of the source once `quiet` has settled. With a source that can tell whether
   * it changed since its last load, the pipeline runs at once, during the quiet period, and
   * its result is kept when the source still holds what it read once the period is over
   * (anything else, e.g. a file read half written, and it runs again then): the same snapshot
   * as a run after the quiet period, without waiting for it first. Nothing of a run that is not
   * kept is reported or applied, and it leaves the validation memo as it was. The early load is
   * tentative: a file with a broken document (likely cut off mid-write) ends it at once, and so
   * does a change found right after it.
   */
  private async settled(quiet?: Promise<void>): Promise<Snapshot> {
    const changed = this.source.changed?.bind(this.source);
    if (!quiet || !changed) {
      await quiet;
      return this.take();
    }
    const validation = this.validation.fork();
    // A load that the files changed after (writes still going on) is not worth running on.
    const stale = async (loaded: LoadResult) => {
      if (await changed()) throw new Error('changed while loading');
      return loaded;
    };
    const early = await this.take({ validation, tentative: true, check: stale }).catch(() => undefined);
    await quiet;
    if (early && !(await changed())) {
      this.validation.adopt(validation);
      return early;
    }
    return this.take();
  }

  /** `check`: what the load gave goes through it (it may throw) before the pipeline goes on. */
  private take({ validation = this.validation, tentative = false, check = async (loaded: LoadResult) => loaded } = {}): Promise<Snapshot> {
    const bind = this.options.bind ?? '0.0.0.0';
    return takeSnapshot({
      paths: this.options.paths,
      load: async () => check(await this.source.load(tentative ? { tentative } : undefined)),
      rejectInvalid: this.source.rejectInvalid,
      validation,
      controllerName: this.options.controllerName ?? DEFAULT_CONTROLLER_NAME,
      ...(this.options.ingress ? { ingress: this.options.ingress } : {}),
      portOffset: this.options.portOffset ?? 0,
      bind,
      addressFor: (gw) => this.pool?.addressFor(`${gw.metadata.namespace ?? 'default'}/${gw.metadata.name}`) ?? bind,
      ...(this.source.previousStatuses
        ? { previous: this.source.previousStatuses() }
        : this.snapshot
          ? { previous: this.snapshot.statuses }
          : {}),
    });
  }

  private report(snapshot: Snapshot): void {
    for (const d of snapshot.result.diagnostics) this.log(formatDiagnostic(d));
    for (const problem of snapshot.layout.problems) this.log(`switchyard: ${problem}`);
  }

  private async bind(plan: SocketPlan): Promise<void> {
    let socket: GatewaySocket | L4Socket;
    try {
      if (isHttpPlan(plan)) {
        socket = createGatewaySocket(plan.state(), this.handler, { ...DEFAULT_LIMITS, ...this.options.limits });
        await listen(socket.server as Parameters<typeof listen>[0], plan.address, plan.port);
      } else {
        const l4 = createL4Socket(plan.scheme, plan.state(), this.l4, plan.address);
        socket = l4;
        await l4.listen(plan.address, plan.port).catch((err: unknown) => {
          l4.destroy();
          throw err;
        });
      }
    } catch (err) {
      throw new Error(`cannot listen on ${plan.address}:${plan.port} (${plan.listeners.map((l) => `${l.gateway} ${l.listener}`).join(', ')}): ${(err as Error).message}`);
    }
    this.sockets.set(plan.key, { plan, socket });
  }

  /** Applies a new socket layout: new sockets bound, changed ones updated, removed ones drained. */
  private async rebind(snapshot: Snapshot): Promise<void> {
    const wanted = new Map(snapshot.layout.sockets.map((p) => [p.key, p]));
    for (const [key, bound] of this.sockets) {
      const plan = wanted.get(key);
      if (plan && plan.scheme === bound.plan.scheme) continue;
      this.sockets.delete(key);
      void closeSocket(bound.socket, REMOVED_SOCKET_GRACE_MS);
    }
    for (const plan of wanted.values()) {
      const bound = this.sockets.get(plan.key);
      if (bound) {
        if (bound.plan.signature !== plan.signature) {
          // Same scheme as the bound plan (checked above), so the socket takes this plan's state.
          if (isHttpPlan(plan)) (bound.socket as GatewaySocket).update(plan.state());
          else (bound.socket as L4Socket).update(plan.state());
        }
        bound.plan = plan;
        continue;
      }
      try {
        await this.bind(plan);
      } catch (err) {
        this.log(`switchyard: ${(err as Error).message}`);
      }
    }
  }

  private async writeStatus(snapshot: Snapshot): Promise<void> {
    const file = this.options.statusFile;
    if (file === undefined) return;
    const text = this.statusYaml.render(snapshot.result);
    if (text === this.statusText) return;
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, file);
    this.statusText = text;
  }

  private async stopWatching(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
  }
}

function signatures(snapshot: Pick<Snapshot, 'layout'>): string {
  return snapshot.layout.sockets.map((p) => `${p.key}=${p.signature}`).join(';');
}

/** Grace given to requests on a socket a reload removed. */
const REMOVED_SOCKET_GRACE_MS = 10_000;

/** Drains a socket; connections still open after `graceMs` are closed. */
function closeSocket(socket: GatewaySocket | L4Socket, graceMs = 0): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, graceMs);
    (socket.server as NodeJS.EventEmitter).once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.drain();
  });
}

/** Logs refused L4 connections and sessions, at most one line per socket and second (with the count left out). */
function refusalLog(log: (line: string) => void): (refusal: L4Refusal) => void {
  const last = new Map<string, { at: number; skipped: number }>();
  return (r) => {
    const now = Date.now();
    const seen = last.get(r.socket);
    if (seen && now - seen.at < 1_000) {
      seen.skipped++;
      return;
    }
    if (last.size > 1024) last.clear();
    last.set(r.socket, { at: now, skipped: 0 });
    const more = seen && seen.skipped > 0 ? ` (${seen.skipped} more refused in the last second)` : '';
    log(`switchyard: ${r.socket}: refused ${r.client}: ${r.reason}${more}`);
  };
}

function subscribe<T>(list: T[], item: T): () => void {
  list.push(item);
  return () => {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
