/**
 * The sockets of the gateway. A cleartext socket speaks HTTP/1.1 and, with prior knowledge,
 * HTTP/2 (h2c): each connection's first bytes decide. A TLS socket terminates TLS with the
 * certificate SNI selects and offers h2 and http/1.1 by ALPN. Both hand every request (and
 * HTTP/1 upgrade) to the same sink with the socket's current binding state.
 */
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import {
  createSecureServer,
  createServer as createH2cServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ASTERISK_OPTIONS_ALLOW, DEFAULT_REQUEST_LIMITS, type RequestLimits } from './request-guard.js';
import type { SniSelector } from './tls.js';

export type GatewayRequest = IncomingMessage | Http2ServerRequest;
export type GatewayResponse = ServerResponse | Http2ServerResponse;

/** What a socket serves right now; replaced as a whole on reload. */
export interface BindingState {
  /** The listener port of the route table (the bound port minus the offset). */
  readonly port: number;
  /** `namespace/name` of the one Gateway behind the socket; undefined when several share it. */
  readonly gateway: string | undefined;
  readonly scheme: 'http' | 'https';
  /** HTTPS only. */
  readonly sni: SniSelector | undefined;
}

/** Receives every request and upgrade with the socket it arrived on (read `socket.state` once). */
export interface RequestSink {
  request(req: GatewayRequest, res: GatewayResponse, socket: GatewaySocket): void;
  upgrade(req: IncomingMessage, client: Duplex, head: Buffer, socket: GatewaySocket): void;
}

/**
 * Limits and timeouts of the HTTP sockets (security rule 9), the same for cleartext and TLS.
 * The request timeout bounds only the arrival of an HTTP/1 request (head and body, so a body
 * dripping in is cut), never the response: long polls and downloads are bounded by the route's
 * HTTPRoute `timeouts.request`, enforced by the proxy. It is long by default so that uploads on
 * slow links pass; HTTP/2 streams (gRPC client streams) are not subject to it.
 */
export interface ServerLimits extends RequestLimits {
  /** Whole request-header block including the request line, bytes (431 beyond; decision 3). */
  maxHeaderSize: number;
  /** Time for a request head to arrive completely (408 or close beyond). */
  headersTimeoutMs: number;
  /** Idle time of a client keep-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** How often Node checks headersTimeout and requestTimeout (its default of 30 s lets slow requests linger). */
  connectionsCheckingIntervalMs: number;
  /**
   * Time for a whole HTTP/1 request (head and body) to arrive, from its first byte: 408 and
   * close beyond, or only close once the response has started (a backend may answer before the
   * body is complete). 0 = none. A head timeout longer than it is cut to it.
   */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  ...DEFAULT_REQUEST_LIMITS,
  maxHeaderSize: 60 * 1024,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckingIntervalMs: 1_000,
  requestTimeoutMs: 300_000,
};

/** One bound socket: its server, the state requests read, and connection bookkeeping for drain. */
export interface GatewaySocket {
  readonly server: NetServer | Http2SecureServer;
  readonly state: BindingState;
  readonly limits: ServerLimits;
  /** Serves `state` from now on (requests in flight keep the one they read). */
  update(state: BindingState): void;
  /** Stops accepting; open connections are asked to close after their current request. */
  drain(): void;
  /** Closes every connection now. */
  destroy(): void;
  /** Whether responses should carry `Connection: close`. */
  readonly draining: boolean;
}

/** Time a draining socket leaves idle keep-alive connections open for requests already sent. */
export const DRAIN_IDLE_GRACE_MS = 1_000;

/** The HTTP/2 connection preface (RFC 9113 §3.4): a cleartext connection starting with it is h2c. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

abstract class SocketBase implements GatewaySocket {
  abstract readonly server: NetServer | Http2SecureServer;
  draining = false;
  protected readonly sessions = new Set<Http2Session>();

  constructor(
    public state: BindingState,
    readonly limits: ServerLimits,
  ) {}

  update(state: BindingState): void {
    this.state = state;
  }

  protected track(session: Http2Session): void {
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    if (this.draining) session.goaway();
  }

  drain(): void {
    this.draining = true;
    this.server.close();
    for (const s of this.sessions) s.goaway();
    // A keep-alive connection idle right now may carry a request already on its way: closing it
    // at once would reset that request. Idle connections close after a grace instead; requests
    // arriving meanwhile are answered with `Connection: close`.
    setTimeout(() => this.closeIdle(), DRAIN_IDLE_GRACE_MS).unref();
  }

  destroy(): void {
    this.draining = true;
    this.server.close();
    for (const s of this.sessions) s.destroy();
    this.closeAll();
  }

  protected abstract closeIdle(): void;
  protected abstract closeAll(): void;
}

/**
 * The HTTP/1 server of a socket (cleartext, and the non-h2 connections of TLS): the header
 * size, count and time limits, upgrades handed to the sink, and CONNECT answered 405 (it is
 * never proxied; without a listener Node would drop the connection silently).
 */
function createHttp1Server(sink: RequestSink, socket: GatewaySocket, limits: ServerLimits): HttpServer {
  const server = createHttpServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      // Node refuses a head timeout longer than the request timeout.
      headersTimeout: limits.requestTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    },
    (req, res) => sink.request(req, res, socket),
  );
  // One line past the limit is parsed, so the request guard sees that there are too many.
  server.maxHeadersCount = limits.maxHeaderLines + 1;
  // The server never listens itself (it is handed connections), but Node tracks connections and
  // enforces headersTimeout only from 'listening' on: without it a request head may drip forever.
  // `close()` (drain, destroy) stops the checking timer again.
  server.emit('listening');
  // Node closes an idle keep-alive connection from its timer, and timers run before the event
  // loop reads the sockets: after a stall of the loop (a reload, a loaded machine), a request the
  // client sent on time would be reset unread. With a listener here Node leaves the close to it:
  // the connection closes once the loop has read the socket again, unless bytes arrived.
  server.on('timeout', (connection: Socket) => {
    const read = connection.bytesRead;
    setImmediate(() => {
      if (connection.bytesRead === read) connection.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => sink.upgrade(req, client, head, socket));
  server.on('connect', (_req: IncomingMessage, client: Duplex) => {
    client.on('error', () => client.destroy());
    client.end(`HTTP/1.1 405 ${STATUS_CODES[405]}\r\nallow: ${ASTERISK_OPTIONS_ALLOW}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  });
  return server;
}

/** HTTP/2 settings of both kinds of socket: the header block limit of HTTP/1 applies to HTTP/2 too. */
function http2Settings(limits: ServerLimits) {
  return { maxHeaderListSize: limits.maxHeaderSize };
}

class CleartextSocket extends SocketBase {
  readonly server: NetServer;
  private readonly http1: HttpServer;
  private readonly h2c: Http2Server;

  constructor(state: BindingState, sink: RequestSink, limits: ServerLimits) {
    super(state, limits);
    this.http1 = createHttp1Server(sink, this, limits);
    this.h2c = createH2cServer({ settings: http2Settings(limits) }, (req, res) => sink.request(req, res, this));
    this.h2c.on('session', (session: Http2Session) => this.track(session));
    this.server = createNetServer({ pauseOnConnect: true }, (socket) => this.dispatch(socket, limits.headersTimeoutMs));
  }

  /** Reads until the first bytes match or leave the HTTP/2 preface, then hands the socket over. */
  private dispatch(socket: Socket, timeoutMs: number): void {
    let seen: Buffer | undefined;
    // A connection that never sends enough to decide is closed like a slow request head.
    const onTimeout = () => socket.destroy();
    socket.setTimeout(timeoutMs);
    socket.on('timeout', onTimeout);
    const onData = (chunk: Buffer) => {
      seen = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const http2 = seen.compare(PREFACE, 0, n, 0, n) === 0;
      if (http2 && n < PREFACE.length) return;
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(seen);
      // Hand over outside this 'data' dispatch, so the new owner starts from a settled stream.
      process.nextTick(() => {
        if (socket.destroyed) return;
        (http2 ? this.h2c : this.http1).emit('connection', socket);
        socket.resume();
      });
    };
    const onError = () => socket.destroy();
    socket.on('data', onData);
    socket.on('error', onError);
    socket.resume();
  }

  protected closeIdle(): void {
    this.http1.close();
  }

  protected closeAll(): void {
    this.http1.close();
    this.http1.closeAllConnections();
  }
}

class TlsSocket extends SocketBase {
  readonly server: Http2SecureServer;
  private readonly http1: HttpServer;

  constructor(state: BindingState, sink: RequestSink, limits: ServerLimits) {
    super(state, limits);
    const sni = state.sni!;
    this.server = createSecureServer(
      {
        allowHTTP1: true,
        ALPNProtocols: ['h2', 'http/1.1'],
        settings: http2Settings(limits),
        ...sni.defaultContextOptions,
        ...sni.clientCertificates,
        SNICallback: (name, cb) => {
          try {
            cb(null, this.state.sni!.contextFor(name));
          } catch (err) {
            cb(err as Error);
          }
        },
      },
      (req, res) => sink.request(req, res, this),
    );
    // HTTP/1 over TLS goes to a plain HTTP/1 server: the HTTP/1 fallback of node:http2 applies
    // neither maxHeaderSize nor headersTimeout (a request head may drip forever) nor CONNECT.
    // The constructor registered exactly one connection listener, the HTTP/2 one.
    this.http1 = createHttp1Server(sink, this, limits);
    const [http2Connection] = this.server.listeners('secureConnection') as ((socket: TLSSocket) => void)[];
    this.server.removeListener('secureConnection', http2Connection!);
    this.server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.destroyed) return;
      if (socket.alpnProtocol === 'h2') http2Connection!.call(this.server, socket);
      else this.http1.emit('connection', socket);
    });
    this.server.on('session', (session: Http2Session) => this.track(session));
    // Before HTTP takes the connection: a listener that accepts only valid client certificates
    // refuses the others (the TLS layer already has when every listener on the socket does).
    this.server.prependListener('secureConnection', (socket: TLSSocket) => {
      if (!socket.authorized && this.state.sni!.requiresValidClient(socket.servername || undefined)) socket.destroy();
    });
    this.server.prependListener('secureConnection', (socket: Socket) => {
      if (socket.destroyed) return;
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  private readonly connections = new Set<Socket>();

  override update(state: BindingState): void {
    super.update(state);
    const sni = state.sni!;
    this.server.setSecureContext(sni.defaultContextOptions);
    // Read by Node for every new connection (tls.Server keeps them as plain properties).
    Object.assign(this.server as object, sni.clientCertificates);
  }

  protected closeIdle(): void {
    this.http1.close();
  }

  protected closeAll(): void {
    this.http1.close();
    this.http1.closeAllConnections();
    for (const socket of this.connections) socket.destroy();
  }
}

export function createGatewaySocket(state: BindingState, sink: RequestSink, limits: ServerLimits = DEFAULT_LIMITS): GatewaySocket {
  return state.scheme === 'https' ? new TlsSocket(state, sink, limits) : new CleartextSocket(state, sink, limits);
}

/** Listens on `address:port`; rejects with the bind error. */
export function listen(server: NetServer | Http2SecureServer, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    // Not exclusive: `serve --workers N` workers share the primary's listening socket (node:cluster).
    server.listen({ host: address, port, exclusive: false }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
