/**
 * h2c echo (echo-basic's port 3001): HTTP/2 over cleartext with prior knowledge.
 *
 * Each connection's first bytes decide: the HTTP/2 connection preface hands it to an HTTP/2
 * server running the shared echo handler (proto `HTTP/2.0`); anything else is HTTP/1, answered
 * `400 Expected h2c request` as upstream does. An HTTP/1 request carrying `Upgrade: h2c` is
 * echoed over HTTP/1.1 instead (upstream upgrades it; declining an upgrade is always allowed).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerWithoutUpgrade, createEchoHandler, type EchoRequest, type EchoResponse, type HttpEchoServer } from './http.js';
import { asPod, listenLoopback, type EchoPod, type PodIdentity } from './shared.js';

/** The client connection preface of RFC 9113 §3.4. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * Reads from `socket` until its first bytes either are the whole HTTP/2 preface (true) or
 * diverge from it (false), then puts everything read back. A connection that ends or fails
 * before that is destroyed (resolves false; the caller checks `socket.destroyed`).
 */
function startsWithHttp2Preface(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = Buffer.alloc(0);
    const stop = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
    };
    const decide = (isHttp2: boolean) => {
      stop();
      socket.pause();
      socket.unshift(seen);
      resolve(isHttp2);
    };
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, HTTP2_PREFACE.length);
      if (!seen.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n))) decide(false);
      else if (n === HTTP2_PREFACE.length) decide(true);
    };
    const onEnd = () => {
      // Only a strict prefix of the preface was sent: neither protocol can be answered.
      stop();
      socket.destroy();
      resolve(false);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onEnd);
  });
}

export interface H2cEchoOptions {
  pod: EchoPod | PodIdentity;
}

function rejectHttp1(_req: EchoRequest, res: EchoResponse): void {
  const out = res as ServerResponse;
  out.statusCode = 400;
  out.setHeader('Content-Type', 'text/plain; charset=utf-8');
  out.end('Expected h2c request');
}

/** h2c echo on 127.0.0.1 (OS-assigned port). Every path is echoed: upstream's h2c port has no routes. */
export async function startH2cEcho(options: H2cEchoOptions): Promise<HttpEchoServer> {
  const pod = asPod(options.pod);
  const echoHandler = createEchoHandler(pod, { routes: false });
  const http2 = createHttp2Server(echoHandler);
  const http1 = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    // Consume the body first, then refuse: the client must be able to read the answer.
    req.resume();
    req.once('end', () => rejectHttp1(req, res));
    req.once('error', () => res.destroy());
  });
  http1.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const protocols = (req.headers.upgrade ?? '').toLowerCase().split(/\s*,\s*/);
    answerWithoutUpgrade(req, socket, head, protocols.includes('h2c') ? echoHandler : rejectHttp1);
  });

  const front = createNetServer((socket) => {
    void startsWithHttp2Preface(socket).then((isHttp2) => {
      if (socket.destroyed) return;
      (isHttp2 ? http2 : http1).emit('connection', socket);
      socket.resume();
    });
  });
  const listener = await listenLoopback(front);
  if (pod.httpPort === '') pod.httpPort = String(listener.port);
  return {
    pod,
    host: listener.host,
    port: listener.port,
    url: `http://${listener.host}:${listener.port}`,
    close: () => listener.close(),
  };
}
