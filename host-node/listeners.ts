/**
 * Which sockets the resolution asks for: every ready HTTP/HTTPS listener on its port plus the
 * offset, at its Gateway's address. Listeners sharing an address and port share one socket
 * (the route table picks the listener by host); its TLS server holds the certificates of all
 * its HTTPS listeners.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { HTTP_PROTOCOLS } from '../src/compile/compile.js';
import type { Resolution, ResolvedGateway, ResolvedListener } from '../src/resolve/types.js';
import type { BindingState } from './servers.js';
import { SniSelector, type TlsListener } from './tls.js';

/** A listener as served: what the `ready` line reports. */
export interface ServedListener {
  gateway: string;
  listener: string;
  protocol: string;
  address: string;
  port: number;
}

export interface SocketPlan {
  /** `address|port`. */
  key: string;
  address: string;
  port: number;
  scheme: 'http' | 'https';
  /** Equal signatures mean the socket serves exactly the same listeners and certificates. */
  signature: string;
  listeners: ServedListener[];
  /** Builds the state requests on this socket read. */
  state(): BindingState;
}

export interface SocketLayout {
  sockets: SocketPlan[];
  /** Listeners that cannot be served, one message each. */
  problems: string[];
}

export interface LayoutOptions {
  portOffset: number;
  /** Used for a Gateway without a usable IP address in its status. */
  bind: string;
}

/** The name the route table gives a listener (ListenerSet listeners are qualified). */
export function tableListenerName(l: ResolvedListener): string {
  return l.owner.kind === 'ListenerSet' ? `${l.owner.namespace}/${l.owner.name}/${l.name}` : l.name;
}

export function gatewayKey(g: ResolvedGateway): string {
  return `${g.gateway.metadata.namespace ?? 'default'}/${g.gateway.metadata.name}`;
}

/** The address a Gateway's sockets bind: its first IP address, else the common one. */
export function gatewayAddress(g: ResolvedGateway, bind: string): string {
  return g.addresses.find((a) => a.type === 'IPAddress' && isIP(a.value) !== 0)?.value ?? bind;
}

interface Group {
  address: string;
  port: number;
  scheme: 'http' | 'https';
  entries: { gateway: string; listener: ResolvedListener }[];
}

export function layoutSockets(resolution: Pick<Resolution, 'gateways'>, options: LayoutOptions): SocketLayout {
  const groups = new Map<string, Group>();
  const problems: string[] = [];
  for (const g of resolution.gateways) {
    const gateway = gatewayKey(g);
    const address = gatewayAddress(g, options.bind);
    for (const l of g.listeners) {
      if (!l.ready || !HTTP_PROTOCOLS.has(l.protocol)) continue;
      const port = l.port + options.portOffset;
      const where = `Gateway ${gateway} listener ${tableListenerName(l)}`;
      if (port < 1 || port > 65535) {
        problems.push(`${where}: port ${l.port} + offset ${options.portOffset} is not a valid port`);
        continue;
      }
      const scheme = l.protocol === 'HTTPS' ? 'https' : 'http';
      if (scheme === 'https' && (l.tls?.mode !== 'Terminate' || l.tls.certificates.length === 0)) {
        problems.push(`${where}: HTTPS needs a terminating TLS configuration with a certificate`);
        continue;
      }
      const key = `${address}|${port}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { address, port, scheme, entries: [] }));
      if (group.scheme !== scheme) {
        problems.push(`${where}: ${address}:${port} already serves ${group.scheme.toUpperCase()}`);
        continue;
      }
      group.entries.push({ gateway, listener: l });
    }
  }
  return { sockets: [...groups.entries()].map(([key, group]) => toPlan(key, group, options)), problems };
}

function toPlan(key: string, group: Group, options: LayoutOptions): SocketPlan {
  const gateways = [...new Set(group.entries.map((e) => e.gateway))];
  const tableport = group.port - options.portOffset;
  const tls: TlsListener[] = group.entries.map(({ gateway, listener }) => ({
    name: tableListenerName(listener),
    gateway,
    ...(listener.hostname ? { hostname: listener.hostname } : {}),
    certificates: listener.tls?.certificates ?? [],
  }));
  const hash = createHash('sha256');
  hash.update(`${group.scheme}|${gateways.join(',')}`);
  for (const l of tls) {
    hash.update(`|${l.gateway}/${l.name}@${l.hostname ?? ''}`);
    if (group.scheme === 'https') for (const c of l.certificates) hash.update(`|${c.certPem}|${c.keyPem}`);
  }
  return {
    key,
    address: group.address,
    port: group.port,
    scheme: group.scheme,
    signature: hash.digest('hex'),
    listeners: group.entries.map(({ gateway, listener }) => ({
      gateway,
      listener: tableListenerName(listener),
      protocol: listener.protocol,
      address: group.address,
      port: group.port,
    })),
    state: () => ({
      port: tableport,
      gateway: gateways.length === 1 ? gateways[0] : undefined,
      scheme: group.scheme,
      sni: group.scheme === 'https' ? new SniSelector(tls) : undefined,
    }),
  };
}
