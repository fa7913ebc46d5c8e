/**
 * Which sockets the resolution asks for: every ready listener on its port plus the offset, at
 * its Gateway's address. HTTP/HTTPS listeners sharing an address and port share one socket
 * (the route table picks the listener by host); its TLS server holds the certificates of all
 * its HTTPS listeners. TLS listeners sharing one are told apart by SNI; a TCP or UDP socket
 * serves one listener (UDP sockets are keyed apart from TCP ones: the transports do not share
 * ports). A TLS listener on the port of an HTTPS listener is not served.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { HTTP_PROTOCOLS } from '../src/compile/compile.js';
import type { Resolution, ResolvedGateway, ResolvedListener } from '../src/resolve/types.js';
import type { BindingState } from './servers.js';
import { SniSelector, type TlsListener } from './tls.js';
import { l4Listener, L4_PROTOCOLS, type L4Scheme, type L4State } from './l4/index.js';

/** A listener as served: what the `ready` line reports. */
export interface ServedListener {
  gateway: string;
  listener: string;
  protocol: string;
  address: string;
  port: number;
}

interface PlanBase {
  /** `address|port` (`udp|address|port` for UDP). */
  key: string;
  address: string;
  port: number;
  /** Equal signatures mean the socket serves exactly the same listeners, certificates and (TCP/TLS/UDP) routes. */
  signature: string;
  listeners: ServedListener[];
}

export interface HttpSocketPlan extends PlanBase {
  scheme: 'http' | 'https';
  /** Builds the state requests on this socket read. */
  state(): BindingState;
}

export interface L4SocketPlan extends PlanBase {
  scheme: L4Scheme;
  /** Builds the state new connections on this socket read. */
  state(): L4State;
}

export type SocketPlan = HttpSocketPlan | L4SocketPlan;

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
  const l4 = layoutL4(resolution, options, problems, groups);
  return { sockets: [...[...groups.entries()].map(([key, group]) => toPlan(key, group, options)), ...l4], problems };
}

const L4_SCHEME: Readonly<Record<string, L4Scheme>> = { TCP: 'tcp', TLS: 'tls', UDP: 'udp' };

interface L4Group {
  address: string;
  port: number;
  scheme: L4Scheme;
  entries: { gateway: string; listener: ResolvedListener }[];
}

/** Sockets of ready TCP, TLS and UDP listeners; `http` holds the HTTP/HTTPS groups already laid out (same keys conflict). */
function layoutL4(resolution: Pick<Resolution, 'gateways'>, options: LayoutOptions, problems: string[], http: ReadonlyMap<string, Group>): L4SocketPlan[] {
  const groups = new Map<string, L4Group>();
  for (const g of resolution.gateways) {
    const gateway = gatewayKey(g);
    const address = gatewayAddress(g, options.bind);
    for (const l of g.listeners) {
      if (!l.ready || !L4_PROTOCOLS.has(l.protocol)) continue;
      const scheme = L4_SCHEME[l.protocol]!;
      const port = l.port + options.portOffset;
      const where = `Gateway ${gateway} listener ${tableListenerName(l)}`;
      if (port < 1 || port > 65535) {
        problems.push(`${where}: port ${l.port} + offset ${options.portOffset} is not a valid port`);
        continue;
      }
      if (scheme === 'tls' && (l.tls === undefined || (l.tls.mode === 'Terminate' && l.tls.certificates.length === 0))) {
        problems.push(`${where}: TLS needs Passthrough, or Terminate with a certificate`);
        continue;
      }
      const key = scheme === 'udp' ? `udp|${address}|${port}` : `${address}|${port}`;
      const taken = http.get(key);
      if (taken) {
        problems.push(`${where}: ${address}:${port} already serves ${taken.scheme.toUpperCase()}`);
        continue;
      }
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { address, port, scheme, entries: [] }));
      if (group.scheme !== scheme) {
        problems.push(`${where}: ${address}:${port} already serves ${group.scheme.toUpperCase()}`);
        continue;
      }
      if (scheme !== 'tls' && group.entries.length > 0) {
        const first = group.entries[0]!;
        problems.push(`${where}: ${address}:${port} already serves ${first.gateway} listener ${tableListenerName(first.listener)} (a ${l.protocol} port serves one listener)`);
        continue;
      }
      group.entries.push({ gateway, listener: l });
    }
  }
  return [...groups.entries()].map(([key, group]) => toL4Plan(key, group, options));
}

function toL4Plan(key: string, group: L4Group, options: LayoutOptions): L4SocketPlan {
  const listeners = group.entries.map(({ gateway, listener }) => l4Listener(gateway, tableListenerName(listener), listener));
  const hash = createHash('sha256');
  hash.update(`${group.scheme}|`);
  // The routes are part of the signature: a route change updates the socket's state.
  hash.update(JSON.stringify(listeners.map((l) => ({ ...l, certificates: l.certificates.map((c) => [c.certPem, c.keyPem]) }))));
  const state: L4State = { port: group.port - options.portOffset, listeners };
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
    state: () => state,
  };
}

function toPlan(key: string, group: Group, options: LayoutOptions): HttpSocketPlan {
  const gateways = [...new Set(group.entries.map((e) => e.gateway))];
  const tableport = group.port - options.portOffset;
  const tls: TlsListener[] = group.entries.map(({ gateway, listener }) => ({
    name: tableListenerName(listener),
    gateway,
    ...(listener.hostname ? { hostname: listener.hostname } : {}),
    certificates: listener.tls?.certificates ?? [],
    ...(listener.tls?.clientValidation ? { clientValidation: listener.tls.clientValidation } : {}),
  }));
  const hash = createHash('sha256');
  hash.update(`${group.scheme}|${gateways.join(',')}`);
  for (const l of tls) {
    hash.update(`|${l.gateway}/${l.name}@${l.hostname ?? ''}`);
    if (group.scheme !== 'https') continue;
    for (const c of l.certificates) hash.update(`|${c.certPem}|${c.keyPem}`);
    if (l.clientValidation) hash.update(`|client:${l.clientValidation.mode}|${l.clientValidation.caCertificates.join('|')}`);
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
    state: httpState(tableport, gateways, group.scheme, tls),
  };
}

/** The state builder on its own, so it keeps only what it reads (not the resolved listeners and their routes). */
function httpState(port: number, gateways: readonly string[], scheme: 'http' | 'https', tls: TlsListener[]): () => BindingState {
  return () => ({
    port,
    gateway: gateways.length === 1 ? gateways[0] : undefined,
    scheme,
    sni: scheme === 'https' ? new SniSelector(tls) : undefined,
  });
}
