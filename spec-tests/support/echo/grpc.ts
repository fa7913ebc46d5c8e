/**
 * gRPC echo backend (echo-basic in gRPC mode, used by the GRPCRoute tests): service
 * `gateway_api_conformance.echo_basic.grpcecho.GrpcEcho` from `grpcecho.proto`, served over h2c
 * (insecure credentials) and, with a certificate, over TLS.
 *
 * `Echo` and `EchoTwo` answer `{assertions: {fully_qualified_method, headers, authority,
 * context: {namespace, ingress, service_name, pod}, tls_assertions?}}`; `EchoThree` is left
 * unimplemented, so calls to it end with UNIMPLEMENTED.
 *
 * The listeners are the project's own loopback sockets handed to grpc-js through connection
 * injectors, so that the TLS handshake facts (SNI, version, cipher, client certificates) are
 * known for `tls_assertions`.
 */
import { fileURLToPath } from 'node:url';
import { createServer as createNetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import {
  credentials as channelCredentials,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ChannelCredentials,
  type Client,
  type ConnectionInjector,
  type handleUnaryCall,
  type ServiceClientConstructor,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  asPod,
  listenLoopback,
  peerCertificatePems,
  tlsFacts,
  type EchoListener,
  type EchoPod,
  type PodIdentity,
} from './shared.js';

export const GRPC_ECHO_PACKAGE = 'gateway_api_conformance.echo_basic.grpcecho';
export const GRPC_ECHO_SERVICE = `${GRPC_ECHO_PACKAGE}.GrpcEcho`;
/** Absolute path of the service definition. */
export const GRPC_ECHO_PROTO = fileURLToPath(new URL('./grpcecho.proto', import.meta.url));

/** `/<service>/<method>`, the form gRPC routes and `fully_qualified_method` use. */
export function grpcEchoMethod(method: 'Echo' | 'EchoTwo' | 'EchoThree'): string {
  return `/${GRPC_ECHO_SERVICE}/${method}`;
}

export interface GrpcHeader {
  key: string;
  value: string;
}

export interface GrpcEchoContext {
  namespace: string;
  ingress: string;
  service_name: string;
  pod: string;
}

export interface GrpcTlsAssertions {
  version: string;
  negotiated_protocol: string;
  server_name: string;
  cipher_suite: string;
  peer_certificates: string[];
}

export interface GrpcAssertions {
  fully_qualified_method: string;
  headers: GrpcHeader[];
  authority: string;
  context: GrpcEchoContext;
  /** Null (absent) on the plaintext listener. */
  tls_assertions: GrpcTlsAssertions | null;
}

export interface GrpcEchoResponse {
  assertions: GrpcAssertions;
  request: Record<string, never> | null;
}

let constructor: ServiceClientConstructor | undefined;

/**
 * The generated client constructor of `GrpcEcho` (its `.service` is the server-side service
 * definition). Messages keep the proto's snake_case field names; unset fields decode as their
 * defaults (messages as null).
 */
export function grpcEchoClientConstructor(): ServiceClientConstructor {
  if (!constructor) {
    const definition = loadSync(GRPC_ECHO_PROTO, { keepCase: true, defaults: true, arrays: true });
    let node: unknown = loadPackageDefinition(definition);
    for (const part of GRPC_ECHO_SERVICE.split('.')) node = (node as Record<string, unknown>)[part];
    constructor = node as ServiceClientConstructor;
  }
  return constructor;
}

/** A `GrpcEcho` client for `address` (`host:port`); insecure (h2c) unless credentials are given. */
export function createGrpcEchoClient(
  address: string,
  credentials: ChannelCredentials = channelCredentials.createInsecure(),
  options: Record<string, string | number> = {},
): Client {
  const Ctor = grpcEchoClientConstructor();
  return new Ctor(address, credentials, options);
}

export interface GrpcEchoOptions {
  pod: EchoPod | PodIdentity;
  /** Also serve over TLS with this certificate chain and key (PEM). */
  tls?: { cert: string; key: string };
}

export interface GrpcEchoServer {
  readonly pod: EchoPod;
  readonly host: string;
  /** The plaintext (h2c) port. */
  readonly port: number;
  /** The TLS port, when a certificate was given. */
  readonly tlsPort?: number;
  close(): Promise<void>;
}

function peerKey(socket: Pick<Socket, 'remoteAddress' | 'remotePort'>): string {
  // The same form grpc-js reports from `call.getPeer()`.
  return `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
}

function grpcTlsAssertions(socket: TLSSocket): GrpcTlsAssertions {
  const facts = tlsFacts(socket);
  return {
    version: facts.version,
    negotiated_protocol: facts.negotiatedProtocol,
    server_name: facts.serverName,
    cipher_suite: facts.cipherSuite,
    peer_certificates: peerCertificatePems(socket),
  };
}

export async function startGrpcEcho(options: GrpcEchoOptions): Promise<GrpcEchoServer> {
  const pod = asPod(options.pod);
  /** TLS facts of the live TLS connections, by peer address. */
  const tlsPeers = new Map<string, GrpcTlsAssertions>();

  const echo =
    (method: 'Echo' | 'EchoTwo'): handleUnaryCall<unknown, GrpcEchoResponse> =>
    (call, callback) => {
      const peer = call.getPeer();
      const tls = tlsPeers.get(peer) ?? null;
      pod.log.append(`Received over ${tls ? 'TLS' : 'plaintext'}: ${grpcEchoMethod(method)} from ${peer}`);
      const authority = call.getHost();
      const headers: GrpcHeader[] = [{ key: ':authority', value: authority }];
      for (const [key, values] of Object.entries(call.metadata.toJSON())) {
        for (const value of values) {
          headers.push({ key, value: typeof value === 'string' ? value : value.toString('base64') });
        }
      }
      callback(null, {
        assertions: {
          fully_qualified_method: grpcEchoMethod(method),
          headers,
          authority,
          context: { namespace: pod.namespace, ingress: pod.ingress, service_name: pod.service, pod: pod.pod },
          tls_assertions: tls,
        },
        request: {},
      });
    };

  const server = new Server();
  server.addService(grpcEchoClientConstructor().service as ServiceDefinition, {
    Echo: echo('Echo'),
    EchoTwo: echo('EchoTwo'),
  });

  const injectors: ConnectionInjector[] = [];
  const listeners: EchoListener[] = [];
  const stopAll = async () => {
    await Promise.all(listeners.map((l) => l.close()));
    for (const injector of injectors) injector.destroy();
    server.forceShutdown();
  };
  try {
    const plainInjector = server.createConnectionInjector(ServerCredentials.createInsecure());
    injectors.push(plainInjector);
    const plain = createNetServer((socket) => plainInjector.injectConnection(socket));
    listeners.push(await listenLoopback(plain));

    if (options.tls) {
      // The TLS layer is terminated here; grpc-js then speaks HTTP/2 on the decrypted stream.
      const tlsInjector = server.createConnectionInjector(ServerCredentials.createInsecure());
      injectors.push(tlsInjector);
      const secure = createTlsServer(
        { cert: options.tls.cert, key: options.tls.key, ALPNProtocols: ['h2'] },
        (socket: TLSSocket) => {
          const key = peerKey(socket);
          tlsPeers.set(key, grpcTlsAssertions(socket));
          socket.once('close', () => tlsPeers.delete(key));
          tlsInjector.injectConnection(socket);
        },
      );
      secure.on('tlsClientError', (_err, socket) => socket.destroy());
      listeners.push(await listenLoopback(secure));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    pod,
    host: listeners[0]!.host,
    port: listeners[0]!.port,
    ...(listeners[1] ? { tlsPort: listeners[1].port } : {}),
    close() {
      closing ??= stopAll();
      return closing;
    },
  };
}
