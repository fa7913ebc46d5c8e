/**
 * TCP echo backend (echo-basic in TCP mode, used by TCPRoute and TLSRoute tests): a plain TCP
 * listener and, with a certificate, a TLS listener.
 *
 * On accept (after the handshake for TLS) the server writes `Gateway API Test TCP Server\n`,
 * then answers newline-terminated commands (a trailing `\r` is ignored):
 * - `PING` → `PONG\n`
 * - `IS_TLS` → `true\n` / `false\n`
 * - `TEST` → one JSON line `{"namespace","ingress","service","pod","tcpport","tlsport"?,"isTLS",
 *   "tls"?}`
 * Other lines are ignored. The connection stays open until the client closes it; a line longer
 * than 64 KiB closes it (Go's `bufio.Scanner` limit).
 */
import { createServer as createNetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { asPod, goJson, listenLoopback, remoteAddr, tlsFacts, type EchoListener, type EchoPod, type PodIdentity } from './shared.js';

export const TCP_WELCOME = 'Gateway API Test TCP Server\n';

/** Longest line the server accepts (Go's `bufio.MaxScanTokenSize`). */
export const MAX_LINE_BYTES = 64 * 1024;

/** The `tls` object of a `TEST` answer (Go field names; empty optional fields omitted). */
export interface TcpTlsAssertions {
  /** Go's `tls.VersionName` form, e.g. `TLS 1.3`. */
  version: string;
  serverName: string;
  negotiatedProtocol?: string;
  cipherSuite: string;
}

/** The JSON line answering `TEST`. */
export interface TcpTestAnswer {
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
  tcpport: string;
  tlsport?: string;
  isTLS: boolean;
  tls?: TcpTlsAssertions;
}

export interface TcpEchoOptions {
  pod: EchoPod | PodIdentity;
  /** Also start the TLS listener with this certificate chain and key (PEM). */
  tls?: { cert: string; key: string };
}

export interface TcpEchoServer {
  readonly pod: EchoPod;
  readonly host: string;
  /** The plain TCP port. */
  readonly port: number;
  /** The TLS port, when a certificate was given. */
  readonly tlsPort?: number;
  close(): Promise<void>;
}

function tcpTlsAssertions(socket: TLSSocket): TcpTlsAssertions {
  const facts = tlsFacts(socket);
  return {
    version: facts.version.replace(/^TLSv/, 'TLS '),
    serverName: facts.serverName,
    ...(facts.negotiatedProtocol !== '' ? { negotiatedProtocol: facts.negotiatedProtocol } : {}),
    cipherSuite: facts.cipherSuite,
  };
}

/** Runs the line protocol on an accepted (and, for TLS, handshaken) connection. */
function serveConnection(socket: Socket, answer: TcpTestAnswer, pod: EchoPod): void {
  const testLine = `${goJson(answer)}\n`;
  pod.log.append(`Accepted ${answer.isTLS ? 'TLS' : 'TCP'} connection from ${remoteAddr(socket)}`);
  let pending = '';
  const command = (raw: string) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === 'TEST') socket.write(testLine);
    else if (line === 'IS_TLS') socket.write(`${answer.isTLS}\n`);
    else if (line === 'PING') socket.write('PONG\n');
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      command(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
    if (Buffer.byteLength(pending) > MAX_LINE_BYTES) socket.destroy();
  });
  socket.on('end', () => {
    // Like bufio.Scanner, a last unterminated line still counts; then the server closes.
    if (pending !== '') command(pending);
    socket.end();
  });
  socket.on('error', () => socket.destroy());
  socket.write(TCP_WELCOME);
}

/** Starts the TCP echo (and its TLS listener when `tls` is given) on 127.0.0.1. */
export async function startTcpEcho(options: TcpEchoOptions): Promise<TcpEchoServer> {
  const pod = asPod(options.pod);
  // Filled in once both ports are known; connections are only accepted after that.
  const ports = { tcp: '', tls: undefined as string | undefined };
  const base = (isTLS: boolean): TcpTestAnswer => ({
    namespace: pod.namespace,
    ingress: pod.ingress,
    service: pod.service,
    pod: pod.pod,
    tcpport: ports.tcp,
    ...(ports.tls !== undefined ? { tlsport: ports.tls } : {}),
    isTLS,
  });

  const plain = createNetServer({ allowHalfOpen: true }, (socket) => serveConnection(socket, base(false), pod));
  const listeners: EchoListener[] = [];
  try {
    listeners.push(await listenLoopback(plain));
    ports.tcp = String(listeners[0]!.port);
    if (options.tls) {
      const secure = createTlsServer(
        { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2', allowHalfOpen: true },
        (socket) => serveConnection(socket, { ...base(true), tls: tcpTlsAssertions(socket) }, pod),
      );
      secure.on('tlsClientError', (err, socket) => {
        pod.log.append(`TLS handshake failed from ${remoteAddr(socket)}: ${err.message}`);
        socket.destroy();
      });
      listeners.push(await listenLoopback(secure));
      ports.tls = String(listeners[1]!.port);
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }
  return {
    pod,
    host: listeners[0]!.host,
    port: listeners[0]!.port,
    ...(listeners[1] ? { tlsPort: listeners[1].port } : {}),
    async close() {
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
