/**
 * Clients for the TCP, TLS and UDP probes of the conformance corpus (`tcp[]`, `udp[]`, and the
 * per-request probes of TCP/UDP weighted-distribution checks), against a gateway address on
 * loopback. Each function makes one exchange and reports what came back; retry policies live in
 * the runner (l4-runner.ts).
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { TCP_WELCOME } from './echo/index.js';

/** The connection itself failed (refused, reset, closed early, timed out): the runner may retry. */
export class ProbeTransportError extends Error {}

export interface ProbeTls {
  serverName: string;
  /** PEM of the CA the client trusts. */
  ca: string;
}

/** Reads newline-terminated lines from a socket, each within a deadline. */
class Lines {
  private buffer = '';
  private waiter: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      const w = this.waiter;
      this.waiter = undefined;
      w?.reject(this.failure);
    };
    socket.on('end', () => fail(new ProbeTransportError('the connection was closed')));
    socket.on('error', (err) => fail(new ProbeTransportError(err.message)));
  }

  private deliver(): void {
    const i = this.buffer.indexOf('\n');
    if (i < 0 || !this.waiter) return;
    const line = this.buffer.slice(0, i + 1);
    this.buffer = this.buffer.slice(i + 1);
    const w = this.waiter;
    this.waiter = undefined;
    w.resolve(line);
  }

  next(deadline: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ProbeTransportError('no line before the deadline'));
      }, Math.max(1, deadline - Date.now()));
      this.waiter = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      if (this.buffer.includes('\n')) this.deliver();
      else if (this.failure) this.waiter.reject(this.failure);
    });
  }
}

/** Opens a TCP (or, with `tls`, TLS >= 1.2) connection within `timeoutMs`. */
export function openStream(address: string, port: number, timeoutMs: number, tls?: ProbeTls): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket | TLSSocket = tls
      ? tlsConnect({ host: address, port, servername: tls.serverName, ca: tls.ca, minVersion: 'TLSv1.2' })
      : netConnect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProbeTransportError(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ProbeTransportError(err.message));
    };
    socket.once('error', onError);
  });
}

export interface TcpEchoExchange {
  welcome: string;
  pong: string;
  isTls: string;
  /** The TEST answer, decoded. */
  test: Record<string, unknown>;
}

/** tcpEcho / tlsTcpEcho: welcome line, `PING`, `IS_TLS`, `TEST`; throws ProbeTransportError when the exchange did not complete. */
export async function tcpEchoExchange(address: string, port: number, timeoutMs: number, tls?: ProbeTls): Promise<TcpEchoExchange> {
  const deadline = Date.now() + timeoutMs;
  const socket = await openStream(address, port, timeoutMs, tls);
  try {
    const lines = new Lines(socket);
    const welcome = await lines.next(deadline);
    socket.write('PING\n');
    const pong = await lines.next(deadline);
    socket.write('IS_TLS\n');
    const isTls = await lines.next(deadline);
    socket.write('TEST\n');
    const raw = await lines.next(deadline);
    let test: Record<string, unknown>;
    try {
      test = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new ProbeTransportError(`the TEST answer is not JSON: ${JSON.stringify(raw)}`);
    }
    return { welcome, pong, isTls, test };
  } finally {
    socket.destroy();
  }
}

/** tcpEchoOnce: exact welcome line, `TEST`, JSON with a non-empty pod; returns the pod. */
export async function tcpEchoOnce(address: string, port: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const socket = await openStream(address, port, timeoutMs);
  try {
    const lines = new Lines(socket);
    const welcome = await lines.next(deadline);
    if (welcome !== TCP_WELCOME) throw new Error(`unexpected welcome line ${JSON.stringify(welcome)}`);
    socket.write('TEST\n');
    const raw = await lines.next(deadline);
    const pod = (JSON.parse(raw) as { pod?: unknown }).pod;
    if (typeof pod !== 'string' || pod === '') throw new Error(`no pod in ${JSON.stringify(raw)}`);
    return pod;
  } finally {
    socket.destroy();
  }
}

/**
 * tlsConnectionRejected: a TLS dial with `serverName` must fail with EOF or a reset rather than
 * complete a handshake. Resolves the failure message, or undefined when the handshake completed.
 */
export function tlsDialFailure(address: string, port: number, serverName: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: address, port, servername: serverName, rejectUnauthorized: false, minVersion: 'TLSv1.2' });
    let settled = false;
    const finish = (value: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(`no handshake and no close within ${timeoutMs} ms (a hung connection is not a rejection)`), timeoutMs);
    socket.once('secureConnect', () => finish(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    socket.once('close', () => finish('EOF'));
  });
}

/** Sends one datagram from a fresh connected UDP socket; resolves the first reply (at most `maxBytes`), throws ProbeTransportError on timeout. */
export function udpOnce(address: string, port: number, payload: Buffer, timeoutMs: number, maxBytes = 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    let settled = false;
    const finish = (err: Error | undefined, reply?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply!.subarray(0, maxBytes));
    };
    const timer = setTimeout(() => finish(new ProbeTransportError(`no reply within ${timeoutMs} ms`)), timeoutMs);
    socket.on('message', (msg) => finish(undefined, msg));
    socket.on('error', (err) => finish(new ProbeTransportError(err.message)));
    socket.connect(port, address, () => socket.send(payload));
  });
}

/** The DNS query of `queryWire` (`<id:2 bytes> 01 00 ...`) with a fresh random id. */
export function dnsQuery(queryWire: string): { id: number; wire: Buffer } {
  const rest = queryWire.replace(/^<id:2 bytes>\s*/, '').trim();
  if (!/^([0-9a-f]{2}\s*)+$/i.test(rest)) throw new Error(`unexpected queryWire ${queryWire}`);
  const id = randomInt(0, 0x10000);
  const body = Buffer.from(rest.replace(/\s+/g, ''), 'hex');
  const wire = Buffer.alloc(2 + body.length);
  wire.writeUInt16BE(id, 0);
  body.copy(wire, 2);
  return { id, wire };
}

/** Whether `reply` is a DNS response (QR set, 12-byte header) with id `id`. */
export function isDnsReply(reply: Buffer, id: number): boolean {
  return reply.length >= 12 && reply.readUInt16BE(0) === id && (reply[2]! & 0x80) !== 0;
}
