/**
 * TCP and TLS listeners: each accepted connection is routed once, when it starts, then bytes
 * flow both ways until both sides have closed.
 *
 * - TCP: the listener's route (the oldest attached TCPRoute) picks a weighted backend and the
 *   backend's next endpoint (round-robin); the connection is spliced to it.
 * - TLS: the ClientHello is read first (bounded in size and time, nothing answered); its SNI
 *   picks the listener and the TLSRoute. Passthrough listeners forward the ClientHello and
 *   everything after it unchanged, so the backend terminates TLS. Terminate listeners complete
 *   the handshake here with the listener's certificate and forward the decrypted stream to the
 *   backend as plain TCP.
 *
 * No route, no weighted backend, no ready endpoint, a connect failure: the client connection is
 * closed at once (other connections are unaffected). Half-close is passed on (each direction
 * ends separately) and backpressure holds the faster side.
 */
import { createServer as createNetServer, connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { ResolvedCertificate } from '../../src/resolve/types.js';
import { clientAddress } from '../headers.js';
import { listen } from '../servers.js';
import { pickCertificate } from '../tls.js';
import type { StreamTarget } from '../endpoints.js';
import { readClientHello } from './clienthello.js';
import { BackendPicker, listenerForServerName, routeFor, type L4Listener } from './routes.js';
import type { L4Context, L4Socket, L4State } from './types.js';

/**
 * Joins two connected streams: each one's data is written to the other (with backpressure), an
 * end in one direction ends only that direction, and an error on either side, or one side
 * closing before both of its directions completed, destroys both.
 */
export function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const destroyBoth = () => {
    a.destroy();
    b.destroy();
  };
  const onClose = (closed: Socket, other: Socket) => () => {
    // After a clean close both directions are done and `other` closes once it has flushed.
    if (!closed.readableEnded || !closed.writableFinished) other.destroy();
  };
  a.once('error', destroyBoth);
  b.once('error', destroyBoth);
  a.once('close', onClose(a, b));
  b.once('close', onClose(b, a));
}

/** Connects to a backend endpoint; rejects on error or after `timeoutMs`. */
export function connectUpstream(target: StreamTarget, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${target.host}:${target.port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
  });
}

/** Secure contexts of a state's Terminate listeners, built on first use. */
class Contexts {
  private readonly cache = new Map<ResolvedCertificate, SecureContext>();

  for(listener: L4Listener, serverName: string | undefined): SecureContext | undefined {
    if (listener.certificates.length === 0) return undefined;
    const cert = pickCertificate(listener.certificates, serverName ?? '');
    let ctx = this.cache.get(cert);
    if (ctx === undefined) {
      ctx = createSecureContext({ cert: cert.certPem, key: cert.keyPem });
      this.cache.set(cert, ctx);
    }
    return ctx;
  }
}

/** Where one connection goes, decided when it starts. */
type Plan = { ok: true; target: StreamTarget } | { ok: false; reason: string };

export class StreamSocket implements L4Socket {
  readonly server: NetServer;
  draining = false;
  private readonly connections = new Set<Socket>();
  private readonly picker = new BackendPicker();
  private contexts = new Contexts();

  constructor(
    public state: L4State,
    readonly scheme: 'tcp' | 'tls',
    private readonly ctx: L4Context,
  ) {
    this.server = createNetServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  get open(): number {
    return this.connections.size;
  }

  update(state: L4State): void {
    this.state = state;
    this.contexts = new Contexts();
  }

  listen(address: string, port: number): Promise<void> {
    return listen(this.server, address, port);
  }

  drain(): void {
    this.draining = true;
    this.server.close();
  }

  destroy(): void {
    this.draining = true;
    this.server.close();
    for (const socket of this.connections) socket.destroy();
  }

  private track(socket: Socket): void {
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
  }

  private accept(client: Socket): void {
    this.track(client);
    client.setNoDelay(true);
    const state = this.state;
    if (this.scheme === 'tcp') {
      client.on('error', () => client.destroy());
      const listener = state.listeners[0];
      void this.forward(client, listener ? this.plan(listener, undefined) : { ok: false, reason: 'no listener' }, Buffer.alloc(0));
      return;
    }
    void this.acceptTls(client, state);
  }

  private async acceptTls(client: Socket, state: L4State): Promise<void> {
    const hello = await readClientHello(client, this.ctx.limits.helloTimeoutMs);
    client.on('error', () => client.destroy());
    if (!hello.ok) return this.refuse(client, hello.reason);
    const listener = listenerForServerName(state.listeners, hello.serverName);
    if (!listener) return this.refuse(client, `no TLS listener for server name ${JSON.stringify(hello.serverName ?? '')}`);
    const plan = this.plan(listener, hello.serverName);
    if (!plan.ok) return this.refuse(client, plan.reason);
    if (listener.mode === 'Passthrough') return this.forward(client, plan, hello.bytes);
    const context = this.contexts.for(listener, hello.serverName);
    if (!context) return this.refuse(client, `listener ${listener.gateway}/${listener.name} has no certificate`);
    // Terminate: the bytes read so far go back in front of the stream the TLS layer reads.
    client.unshift(hello.bytes);
    const secure = new TLSSocket(client, { isServer: true, secureContext: context });
    this.track(secure);
    const timer = setTimeout(() => secure.destroy(), this.ctx.limits.helloTimeoutMs);
    secure.once('close', () => clearTimeout(timer));
    secure.on('error', () => secure.destroy());
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.pause();
      void this.forward(secure, plan, Buffer.alloc(0));
    });
  }

  /** The route, weighted backend and endpoint for a connection to `listener`. */
  private plan(listener: L4Listener, serverName: string | undefined): Plan {
    const route = routeFor(listener, serverName);
    if (!route) return { ok: false, reason: `no route on listener ${listener.gateway}/${listener.name}${serverName !== undefined ? ` for ${serverName}` : ''}` };
    const pick = this.picker.pick(route);
    if (!pick.ok) return pick;
    const { service } = pick.backend;
    const target = this.ctx.endpoints().streamEndpoints(service, 'TCP').next();
    if (!target) return { ok: false, reason: `${route.id}: no ready endpoint for ${service.namespace}/${service.name}:${service.port}` };
    return { ok: true, target };
  }

  private async forward(client: Socket, plan: Plan, first: Buffer): Promise<void> {
    if (!plan.ok) return this.refuse(client, plan.reason);
    let upstream: Socket;
    try {
      upstream = await connectUpstream(plan.target, this.ctx.limits.connectTimeoutMs);
    } catch (err) {
      return this.refuse(client, (err as Error).message);
    }
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    this.track(upstream);
    if (first.length > 0) upstream.write(first);
    splice(client, upstream);
  }

  private refuse(client: Socket, reason: string): void {
    this.ctx.refused?.({ socket: `${this.scheme} ${this.state.port}`, client: clientAddress(client.remoteAddress), reason });
    client.destroy();
  }
}
