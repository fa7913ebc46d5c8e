/**
 * Backends as a cluster resolves them: a Service port -> its EndpointSlices (labelled
 * `kubernetes.io/service-name` in the Service's namespace) -> the ready endpoints' addresses on
 * the slice port that corresponds to the Service port. ExternalName Services resolve to their
 * DNS name on the Service port. Built once per table generation from the validated objects.
 */
import { connect as netConnect, isIP } from 'node:net';
import type { BackendInfo } from '../src/compile/manifest.js';
import type { EndpointSlice, Service, ServicePort } from '../src/model/core.js';
import type { ValidObject } from '../src/model/objects.js';
import type { ResolvedCertificate } from '../src/resolve/types.js';
import { upstreamTls, type UpstreamTls } from './backend-tls.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** How the gateway speaks to an endpoint (Service/EndpointSlice `appProtocol`). */
export type UpstreamProtocol = 'http1' | 'h2c';

export interface UpstreamTarget {
  /** `http://host:port` (`https://` with `tls`), the key of its connection pool. */
  origin: string;
  protocol: UpstreamProtocol;
  /** TLS origination (BackendTLSPolicy); its settings are part of the pool key. */
  tls?: UpstreamTls;
}

/** A TCP or UDP endpoint of a TCPRoute/TLSRoute/UDPRoute backend. */
export interface StreamTarget {
  host: string;
  port: number;
}

/** The endpoints of one backend, handed out round-robin. */
export class EndpointSet<T = UpstreamTarget> {
  private cursor = 0;

  /** `problem`: why the backend must not be connected to at all (requests to it answer 500). */
  constructor(
    readonly targets: readonly T[],
    readonly problem?: string,
  ) {}

  /**
   * The next endpoint; undefined when none is ready. Endpoints `ejected` says are out of rotation
   * are skipped, unless all of them are: then the rotation goes on as if none were (like Envoy's
   * panic threshold), so a backend whose endpoints all failed once is tried, not failed outright.
   */
  next(ejected?: (target: T) => boolean): T | undefined {
    const n = this.targets.length;
    if (n === 0) return undefined;
    const start = this.cursor % n;
    for (let i = 0; i < n; i++) {
      const target = this.targets[(start + i) % n]!;
      if (ejected !== undefined && ejected(target)) continue;
      this.cursor = (start + i + 1) % n;
      return target;
    }
    this.cursor = (start + 1) % n;
    return this.targets[start];
  }

  /** Whether an endpoint other than `target` is in rotation (not `ejected`). */
  hasOther(target: T, ejected: (target: T) => boolean): boolean {
    return this.targets.some((t) => t !== target && !ejected(t));
  }
}

export interface OutlierOptions {
  /** Time between connect probes of an ejected endpoint (ms). */
  probeIntervalMs: number;
  /** Connect timeout of a probe (ms). */
  connectTimeoutMs: number;
}

/**
 * Passive outlier detection on connect failures: an endpoint a connection could not be opened
 * to (refused, unreachable, connect timeout) is taken out of rotation at once, shared by every
 * table generation. While it is out, a TCP connect probe runs every `probeIntervalMs`; the first
 * one that connects puts it back. Live requests are never used as probes, so once an endpoint
 * is out no further request fails on it (unless every endpoint of a backend is out, see
 * `EndpointSet.next`).
 */
export class OutlierDetector {
  private readonly out = new Map<string, { timer: NodeJS.Timeout | undefined; probe: ReturnType<typeof netConnect> | undefined }>();
  private closed = false;

  constructor(private readonly options: OutlierOptions) {}

  isEjected(target: UpstreamTarget): boolean {
    return this.out.size > 0 && this.out.has(target.origin);
  }

  /** Endpoints out of rotation, by origin (metrics, tests). */
  get ejected(): string[] {
    return [...this.out.keys()];
  }

  /** A connection to `target` could not be opened: take it out of rotation until a probe connects. */
  connectFailed(target: UpstreamTarget): void {
    if (this.closed || this.out.has(target.origin)) return;
    const { hostname, port } = new URL(target.origin);
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const state: { timer: NodeJS.Timeout | undefined; probe: ReturnType<typeof netConnect> | undefined } = { timer: undefined, probe: undefined };
    this.out.set(target.origin, state);
    const schedule = () => {
      state.timer = setTimeout(probe, this.options.probeIntervalMs);
      state.timer.unref();
    };
    const probe = () => {
      state.timer = undefined;
      if (this.out.get(target.origin) !== state) return;
      const socket = netConnect({ host, port: Number(port), timeout: this.options.connectTimeoutMs });
      state.probe = socket;
      socket.unref();
      let settled = false;
      const settle = (up: boolean) => {
        if (settled) return;
        settled = true;
        state.probe = undefined;
        socket.destroy();
        if (this.out.get(target.origin) !== state) return;
        if (up) this.out.delete(target.origin);
        else schedule();
      };
      socket.once('connect', () => settle(true));
      socket.once('timeout', () => settle(false));
      socket.once('error', () => settle(false));
      socket.once('close', () => settle(false));
    };
    schedule();
  }

  /** Stops every probe; nothing is ejected any more. */
  close(): void {
    this.closed = true;
    for (const state of this.out.values()) {
      if (state.timer) clearTimeout(state.timer);
      state.probe?.destroy();
    }
    this.out.clear();
  }
}

const EMPTY = new EndpointSet<UpstreamTarget>([]);

interface ResolvedEndpoint {
  host: string;
  port: number;
  appProtocol: string | undefined;
}

export class EndpointDirectory {
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice[]>();
  private readonly sets = new Map<string, EndpointSet>();
  private readonly streamSets = new Map<string, EndpointSet<StreamTarget>>();

  /**
   * `backendCertificates`: each Gateway's (`namespace/name`) `spec.tls.backend.clientCertificateRef`,
   * presented on every TLS connection to a backend on behalf of that Gateway.
   */
  constructor(
    objects: readonly ValidObject[],
    private readonly backendCertificates: ReadonlyMap<string, ResolvedCertificate> = new Map(),
  ) {
    for (const { object } of objects) {
      if (object.kind === 'Service') {
        this.services.set(`${object.metadata.namespace}/${object.metadata.name}`, object as Service);
      } else if (object.kind === 'EndpointSlice') {
        const slice = object as EndpointSlice;
        const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
        if (service === undefined) continue;
        const key = `${slice.metadata.namespace}/${service}`;
        const list = this.slices.get(key);
        if (list) list.push(slice);
        else this.slices.set(key, [slice]);
      }
    }
  }

  /**
   * The endpoints of a backend as reached from `gateway` (cached for the generation, keeping
   * its round-robin cursor). A backend with a BackendTLSPolicy gets TLS targets carrying the
   * Gateway's backend client certificate; an unusable policy leaves no target and a `problem`.
   */
  endpoints(backend: BackendInfo, gateway?: string): EndpointSet {
    const ref = backend.service;
    if (!ref) return EMPTY;
    const policy = backend.tls;
    // The policy is a function of the Service port; only the client certificate varies by Gateway.
    const client = policy && gateway !== undefined ? this.backendCertificates.get(gateway) : undefined;
    const key = `${ref.namespace}/${ref.name}:${ref.port}${client ? ` ${gateway}` : ''}`;
    let set = this.sets.get(key);
    if (set === undefined) {
      const tls = policy ? upstreamTls(policy, client) : undefined;
      set =
        policy && !tls
          ? new EndpointSet<UpstreamTarget>([], `BackendTLSPolicy ${policy.policy} is not usable: ${policy.error ?? 'no CA certificates'}`)
          : new EndpointSet(this.resolve(ref.namespace, ref.name, ref.port, ref.appProtocol, tls));
      this.sets.set(key, set);
    }
    return set;
  }

  /**
   * The endpoints of a Service port carrying `transport` (TCPRoute/TLSRoute: TCP, UDPRoute: UDP),
   * cached per generation like `endpoints`, keeping its round-robin cursor.
   */
  streamEndpoints(service: { namespace: string; name: string; port: number }, transport: 'TCP' | 'UDP'): EndpointSet<StreamTarget> {
    const key = `${transport} ${service.namespace}/${service.name}:${service.port}`;
    let set = this.streamSets.get(key);
    if (set === undefined) {
      set = new EndpointSet(this.addresses(service.namespace, service.name, service.port, transport, undefined).map(({ host, port }) => ({ host, port })));
      this.streamSets.set(key, set);
    }
    return set;
  }

  /** Every origin any backend of `backends` can reach, from any Gateway (for pool bookkeeping). */
  origins(backends: Iterable<BackendInfo>): UpstreamTarget[] {
    const out = new Map<string, UpstreamTarget>();
    const gateways = [undefined, ...this.backendCertificates.keys()];
    for (const b of backends) {
      for (const gateway of b.tls ? gateways : [undefined]) for (const t of this.endpoints(b, gateway).targets) out.set(poolKey(t), t);
    }
    return [...out.values()];
  }

  private resolve(namespace: string, name: string, port: number, appProtocol: string | undefined, tls: UpstreamTls | undefined): UpstreamTarget[] {
    return this.addresses(namespace, name, port, 'TCP', appProtocol).map((e) => ({
      origin: origin(e.host, e.port, tls ? 'https' : 'http'),
      protocol: protocolOf(e.appProtocol),
      ...(tls ? { tls } : {}),
    }));
  }

  /** Ready endpoint addresses of a Service port of the given transport protocol, each once. */
  private addresses(namespace: string, name: string, port: number, transport: 'TCP' | 'UDP', appProtocol: string | undefined): ResolvedEndpoint[] {
    const service = this.services.get(`${namespace}/${name}`);
    if (!service) return [];
    const servicePort = service.spec.ports?.find((p) => p.port === port && (p.protocol ?? 'TCP') === transport);
    if (service.spec.type === 'ExternalName') {
      const host = service.spec.externalName;
      return host ? [{ host, port, appProtocol: servicePort?.appProtocol ?? appProtocol }] : [];
    }
    if (!servicePort) return [];
    const out: ResolvedEndpoint[] = [];
    const seen = new Set<string>();
    for (const slice of this.slices.get(`${namespace}/${name}`) ?? []) {
      const slicePort = matchSlicePort(slice, servicePort);
      if (slicePort === undefined) continue;
      const protocol = servicePort.appProtocol ?? slicePort.appProtocol ?? appProtocol;
      for (const endpoint of slice.endpoints ?? []) {
        if (endpoint.conditions?.ready === false) continue;
        // Consumers use the first address of an endpoint (the others are the same Pod).
        const address = endpoint.addresses?.[0];
        if (address === undefined) continue;
        const key = `${address}|${slicePort.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ host: address, port: slicePort.port, appProtocol: protocol });
      }
    }
    return out;
  }
}

/**
 * The slice port serving `servicePort`: the one with the same name (unnamed ports are ``); for
 * a numeric targetPort, the unnamed port with that number wins, then any port with it. A slice
 * without ports serves the numeric targetPort itself.
 */
function matchSlicePort(slice: EndpointSlice, servicePort: ServicePort): { port: number; appProtocol?: string } | undefined {
  const target = typeof servicePort.targetPort === 'number' ? servicePort.targetPort : servicePort.targetPort === undefined ? servicePort.port : undefined;
  const ports = slice.ports;
  if (!ports || ports.length === 0) return target === undefined ? undefined : { port: target };
  const name = servicePort.name ?? '';
  const named = ports.filter((p) => (p.name ?? '') === name && p.port !== undefined);
  const pick =
    (target !== undefined ? named.find((p) => p.port === target) : undefined) ??
    named[0] ??
    (target !== undefined && name === '' ? ports.find((p) => p.port === target) : undefined);
  if (!pick || pick.port === undefined) return undefined;
  return pick.appProtocol !== undefined ? { port: pick.port, appProtocol: pick.appProtocol } : { port: pick.port };
}

/** Cleartext HTTP/2 for `kubernetes.io/h2c` and for gRPC (HTTP/2 only), HTTP/1.1 otherwise. */
function protocolOf(appProtocol: string | undefined): UpstreamProtocol {
  return appProtocol === 'kubernetes.io/h2c' || appProtocol === 'grpc' ? 'h2c' : 'http1';
}

function origin(host: string, port: number, scheme: 'http' | 'https'): string {
  return isIP(host) === 6 ? `${scheme}://[${host}]:${port}` : `${scheme}://${host}:${port}`;
}

/** Targets with equal keys share a pool: same origin, protocol and TLS settings. */
export function poolKey(target: UpstreamTarget): string {
  return target.tls ? `${target.protocol} ${target.origin} tls:${target.tls.id}` : `${target.protocol} ${target.origin}`;
}
