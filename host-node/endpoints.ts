/**
 * Backends as a cluster resolves them: a Service port -> its EndpointSlices (labelled
 * `kubernetes.io/service-name` in the Service's namespace) -> the ready endpoints' addresses on
 * the slice port that corresponds to the Service port. ExternalName Services resolve to their
 * DNS name on the Service port. Built once per table generation from the validated objects.
 */
import { isIP } from 'node:net';
import type { BackendInfo } from '../src/compile/manifest.js';
import type { EndpointSlice, Service, ServicePort } from '../src/model/core.js';
import type { ValidObject } from '../src/model/objects.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** How the gateway speaks to an endpoint (Service/EndpointSlice `appProtocol`). */
export type UpstreamProtocol = 'http1' | 'h2c';

export interface UpstreamTarget {
  /** `http://host:port`, the key of its connection pool. */
  origin: string;
  protocol: UpstreamProtocol;
}

/** The endpoints of one backend, handed out round-robin. */
export class EndpointSet {
  private cursor = 0;

  constructor(readonly targets: readonly UpstreamTarget[]) {}

  /** The next endpoint; undefined when none is ready. */
  next(): UpstreamTarget | undefined {
    const n = this.targets.length;
    if (n === 0) return undefined;
    const target = this.targets[this.cursor % n];
    this.cursor = (this.cursor + 1) % n;
    return target;
  }
}

const EMPTY = new EndpointSet([]);

export class EndpointDirectory {
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice[]>();
  private readonly sets = new Map<string, EndpointSet>();

  constructor(objects: readonly ValidObject[]) {
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

  /** The endpoints of a backend (cached per backend for the generation, keeping its round-robin cursor). */
  endpoints(backend: BackendInfo): EndpointSet {
    const ref = backend.service;
    if (!ref) return EMPTY;
    const key = `${ref.namespace}/${ref.name}:${ref.port}`;
    let set = this.sets.get(key);
    if (set === undefined) {
      set = new EndpointSet(this.resolve(ref.namespace, ref.name, ref.port, ref.appProtocol));
      this.sets.set(key, set);
    }
    return set;
  }

  /** Every origin any backend of `backends` can reach (for pool bookkeeping). */
  origins(backends: Iterable<BackendInfo>): UpstreamTarget[] {
    const out = new Map<string, UpstreamTarget>();
    for (const b of backends) for (const t of this.endpoints(b).targets) out.set(poolKey(t), t);
    return [...out.values()];
  }

  private resolve(namespace: string, name: string, port: number, appProtocol: string | undefined): UpstreamTarget[] {
    const service = this.services.get(`${namespace}/${name}`);
    if (!service) return [];
    const servicePort = service.spec.ports?.find((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
    if (service.spec.type === 'ExternalName') {
      const host = service.spec.externalName;
      return host ? [{ origin: origin(host, port), protocol: protocolOf(servicePort?.appProtocol ?? appProtocol) }] : [];
    }
    if (!servicePort) return [];
    const out: UpstreamTarget[] = [];
    const seen = new Set<string>();
    for (const slice of this.slices.get(`${namespace}/${name}`) ?? []) {
      const slicePort = matchSlicePort(slice, servicePort);
      if (slicePort === undefined) continue;
      const protocol = protocolOf(servicePort.appProtocol ?? slicePort.appProtocol ?? appProtocol);
      for (const endpoint of slice.endpoints ?? []) {
        if (endpoint.conditions?.ready === false) continue;
        // Consumers use the first address of an endpoint (the others are the same Pod).
        const address = endpoint.addresses?.[0];
        if (address === undefined) continue;
        const target = { origin: origin(address, slicePort.port), protocol };
        if (seen.has(target.origin)) continue;
        seen.add(target.origin);
        out.push(target);
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

function protocolOf(appProtocol: string | undefined): UpstreamProtocol {
  return appProtocol === 'kubernetes.io/h2c' ? 'h2c' : 'http1';
}

function origin(host: string, port: number): string {
  return isIP(host) === 6 ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

export function poolKey(target: UpstreamTarget): string {
  return `${target.protocol} ${target.origin}`;
}
