/**
 * Echo backends for conformance runs on loopback, reproducing the upstream echo server
 * (`conformance/echo-basic`) per protocol, plus `startEchoFleet` to run several named backends
 * (one "pod" each) the way the conformance manifests deploy them.
 *
 * Backend kinds and their listeners (each on 127.0.0.1, OS-assigned port):
 * - `http`: HTTP/1.1 (`ports.http`, also `/ws`), h2c (`ports.h2c`) and, with `tls`, HTTPS
 *   (`ports.https`, optional client CA) — echo-basic's 3000 / 3001 / 8443;
 * - `grpc`: gRPC over h2c (`ports.grpc`) and, with `tls`, over TLS (`ports.grpcTls`);
 * - `tcp`: the TCP line protocol (`ports.tcp`) and, with `tls`, its TLS variant (`ports.tls`);
 * - `udp`: the UDP echo (`ports.udp`);
 * - `dns`: the DNS responder standing in for coredns (`ports.dns`, zone `foo.bar.com`).
 */
import { startGrpcEcho } from './grpc.js';
import { startH2cEcho } from './h2c.js';
import { startHttpEcho, startHttpsEcho } from './http.js';
import { deploymentPodName, EchoPod, type EchoLog } from './shared.js';
import { startTcpEcho } from './tcp.js';
import { startDnsServer, startUdpEcho } from './udp.js';

export * from './shared.js';
export * from './duration.js';
export * from './http.js';
export * from './h2c.js';
export * from './websocket.js';
export * from './tcp.js';
export * from './udp.js';
export * from './grpc.js';

export type EchoBackendKind = 'http' | 'grpc' | 'tcp' | 'udp' | 'dns';

/** Zone of the base `coredns` backend's `whoami` server block. */
export const DNS_ZONE = 'foo.bar.com';

export interface EchoBackendSpec {
  /** Deployment name, e.g. `infra-backend-v1`; pods are named `<name>-<x>-<y>`. */
  name: string;
  namespace: string;
  kind: EchoBackendKind;
  /** Service name reported by the backend (SERVICE_NAME); defaults to `name`. */
  service?: string;
  /** Pod name; defaults to a fresh `<name>-<10 chars>-<5 chars>`. */
  pod?: string;
  /**
   * Server certificate chain and key (PEM) for the TLS listener of `http`, `grpc` and `tcp`
   * backends; `clientCa` (HTTPS only) requests client certificates verified against it.
   */
  tls?: { cert: string; key: string; clientCa?: string };
  /** DNS zone of a `dns` backend; defaults to `foo.bar.com`. */
  zone?: string;
}

export interface EchoBackendPorts {
  http?: number;
  h2c?: number;
  https?: number;
  grpc?: number;
  grpcTls?: number;
  tcp?: number;
  tls?: number;
  udp?: number;
  dns?: number;
}

export interface EchoBackend {
  readonly spec: EchoBackendSpec;
  readonly name: string;
  readonly namespace: string;
  readonly kind: EchoBackendKind;
  readonly service: string;
  readonly pod: string;
  readonly host: string;
  readonly ports: Readonly<EchoBackendPorts>;
  /** The pod's log (echoed HTTP requests, TCP/UDP/gRPC traffic). */
  readonly log: EchoLog;
  /** Shared state of the pod's listeners. */
  readonly state: EchoPod;
  close(): Promise<void>;
}

interface Closable {
  close(): Promise<void>;
}

/** Starts one backend with all listeners of its kind; nothing stays open if one fails. */
export async function startEchoBackend(spec: EchoBackendSpec): Promise<EchoBackend> {
  const state = new EchoPod({
    namespace: spec.namespace,
    pod: spec.pod ?? deploymentPodName(spec.name),
    service: spec.service ?? spec.name,
  });
  const started: Closable[] = [];
  const ports: EchoBackendPorts = {};
  const track = <T extends Closable>(server: T): T => {
    started.push(server);
    return server;
  };
  const closeAll = async () => {
    await Promise.all(started.map((s) => s.close()));
  };
  const { tls } = spec;
  let host = '127.0.0.1';
  try {
    switch (spec.kind) {
      case 'http': {
        const http = track(await startHttpEcho({ pod: state }));
        host = http.host;
        ports.http = http.port;
        ports.h2c = track(await startH2cEcho({ pod: state })).port;
        if (tls) {
          const https = track(
            await startHttpsEcho({
              pod: state,
              cert: tls.cert,
              key: tls.key,
              ...(tls.clientCa !== undefined ? { clientCa: tls.clientCa } : {}),
            }),
          );
          ports.https = https.port;
        }
        break;
      }
      case 'grpc': {
        const grpc = track(await startGrpcEcho({ pod: state, ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}) }));
        host = grpc.host;
        ports.grpc = grpc.port;
        if (grpc.tlsPort !== undefined) ports.grpcTls = grpc.tlsPort;
        break;
      }
      case 'tcp': {
        const tcp = track(await startTcpEcho({ pod: state, ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}) }));
        host = tcp.host;
        ports.tcp = tcp.port;
        if (tcp.tlsPort !== undefined) ports.tls = tcp.tlsPort;
        break;
      }
      case 'udp': {
        const udp = track(await startUdpEcho({ pod: state }));
        host = udp.host;
        ports.udp = udp.port;
        break;
      }
      case 'dns': {
        const dns = track(await startDnsServer({ zone: spec.zone ?? DNS_ZONE }));
        host = dns.host;
        ports.dns = dns.port;
        break;
      }
      default: {
        const unknown: never = spec.kind;
        throw new Error(`unknown echo backend kind ${String(unknown)}`);
      }
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    spec,
    name: spec.name,
    namespace: spec.namespace,
    kind: spec.kind,
    service: state.service,
    pod: state.pod,
    host,
    ports,
    log: state.log,
    state,
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}

export interface EchoFleet {
  readonly backends: readonly EchoBackend[];
  /** The backend `namespace/name`; throws naming the known ones when absent. */
  get(namespace: string, name: string): EchoBackend;
  /** Stops every backend and frees every port. */
  stop(): Promise<void>;
}

/** Starts every backend of `specs` (names unique per namespace); all or nothing. */
export async function startEchoFleet(specs: readonly EchoBackendSpec[]): Promise<EchoFleet> {
  const keys = new Set<string>();
  for (const spec of specs) {
    const key = `${spec.namespace}/${spec.name}`;
    if (keys.has(key)) throw new Error(`duplicate echo backend ${key}`);
    keys.add(key);
  }
  const results = await Promise.allSettled(specs.map((spec) => startEchoBackend(spec)));
  const backends = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.all(backends.map((b) => b.close()));
    throw failure.reason;
  }
  const byKey = new Map(backends.map((b) => [`${b.namespace}/${b.name}`, b]));
  let stopping: Promise<void> | undefined;
  return {
    backends,
    get(namespace, name) {
      const backend = byKey.get(`${namespace}/${name}`);
      if (!backend) throw new Error(`no echo backend ${namespace}/${name} (known: ${[...byKey.keys()].join(', ')})`);
      return backend;
    },
    stop() {
      stopping ??= Promise.all(backends.map((b) => b.close())).then(() => undefined);
      return stopping;
    },
  };
}
