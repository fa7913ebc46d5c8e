/**
 * Pieces every echo backend shares: the pod identity it reports, the in-memory request log,
 * TLS connection facts, Go-compatible JSON encoding and loopback listener lifecycle.
 *
 * The backends reproduce the upstream conformance echo server (`conformance/echo-basic`, see the
 * conformance README, "Echo backend"): what they answer is what the conformance checks read.
 */
import { randomInt } from 'node:crypto';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** Every echo backend listens on loopback only. */
export const LOOPBACK = '127.0.0.1';

/** What the upstream server reads from NAMESPACE / INGRESS_NAME / SERVICE_NAME / POD_NAME. */
export interface PodIdentity {
  namespace: string;
  /** Pod name; Deployment-style `<deployment>-<x>-<y>` so weighted tests can recover the backend. */
  pod: string;
  /** Service name (SERVICE_NAME); empty when unset, as upstream. */
  service?: string;
  /** INGRESS_NAME; always empty in conformance runs. */
  ingress?: string;
}

/** Append-only log of one pod, read by tests the way the conformance suite reads pod logs. */
export class EchoLog {
  readonly #lines: string[] = [];

  append(line: string): void {
    this.#lines.push(line);
  }

  /** A copy of every line so far, oldest first. */
  lines(): string[] {
    return [...this.#lines];
  }

  /** Whether some line contains `text`. */
  includes(text: string): boolean {
    return this.#lines.some((line) => line.includes(text));
  }

  /**
   * Whether this pod echoed a request for `requestUri` (path plus query, as sent), i.e. logged
   * `Echoing back request made to <requestUri> to client`: the mirror tests' evidence.
   */
  sawRequest(requestUri: string): boolean {
    return this.includes(`Echoing back request made to ${requestUri} to client`);
  }

  clear(): void {
    this.#lines.length = 0;
  }
}

/**
 * State of one echo pod, shared by all its listeners (HTTP, h2c, HTTPS share the log and the
 * retry counters, as the single upstream process does).
 */
export class EchoPod {
  readonly namespace: string;
  readonly pod: string;
  readonly service: string;
  readonly ingress: string;
  readonly log = new EchoLog();
  /** Requests seen so far per `/retry/` uuid. */
  readonly retryCounts = new Map<string, number>();
  /** Reported as `httpPort` (upstream: HTTP_PORT); set by the first HTTP listener when empty. */
  httpPort = '';

  constructor(identity: PodIdentity) {
    this.namespace = identity.namespace;
    this.pod = identity.pod;
    this.service = identity.service ?? '';
    this.ingress = identity.ingress ?? '';
  }
}

/** An `EchoPod` as is, or a new one for a bare identity. */
export function asPod(pod: EchoPod | PodIdentity): EchoPod {
  return pod instanceof EchoPod ? pod : new EchoPod(pod);
}

const POD_HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function podHash(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += POD_HASH_ALPHABET[randomInt(POD_HASH_ALPHABET.length)];
  return out;
}

/** A Deployment-style pod name `<deployment>-<10 chars>-<5 chars>`. */
export function deploymentPodName(deployment: string): string {
  return `${deployment}-${podHash(10)}-${podHash(5)}`;
}

/**
 * `JSON.stringify` made byte-compatible with Go's `encoding/json`: `<`, `>`, `&`, U+2028 and
 * U+2029 are escaped as `\u00XX` (they can only occur inside strings, so replacing them in the
 * encoded text is safe).
 */
export function goJson(value: unknown, indent?: string): string {
  return JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Go's `pem.Encode` of a DER certificate. */
export function pemCertificate(der: Buffer): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The certificates the peer presented, leaf first, as PEM (empty when none). */
export function peerCertificatePems(socket: TLSSocket): string[] {
  const pems: string[] = [];
  const seen = new Set<string>();
  let cert = socket.getPeerCertificate(true);
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    pems.push(pemCertificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return pems;
}

/** Facts of an established TLS connection, in the forms Go's `crypto/tls` reports them. */
export interface TlsFacts {
  /** `TLSv1.3`, `TLSv1.2`, ... (OpenSSL's names, which echo-basic's HTTP assertions also use). */
  version: string;
  /** SNI sent by the client; empty when none. */
  serverName: string;
  /** ALPN protocol; empty when none was negotiated. */
  negotiatedProtocol: string;
  /** IANA cipher suite name (Go's `tls.CipherSuiteName`), e.g. `TLS_AES_128_GCM_SHA256`. */
  cipherSuite: string;
}

export function tlsFacts(socket: TLSSocket): TlsFacts {
  const cipher = socket.getCipher();
  return {
    version: socket.getProtocol() ?? '',
    serverName: typeof socket.servername === 'string' ? socket.servername : '',
    negotiatedProtocol: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : '',
    cipherSuite: cipher.standardName ?? cipher.name,
  };
}

/** Go's `net.Addr.String()` form of a socket's peer: `ip:port`, IPv6 in brackets. */
export function remoteAddr(socket: Pick<Socket, 'remoteAddress' | 'remotePort'>): string {
  const ip = socket.remoteAddress ?? '';
  return `${ip.includes(':') ? `[${ip}]` : ip}:${socket.remotePort ?? 0}`;
}

/** A running loopback listener. `close()` stops it and drops every open connection. */
export interface EchoListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on `127.0.0.1:0`, tracking raw connections so `close()` can end them all (keep-alive
 * HTTP, HTTP/2 sessions and idle TCP echo connections would otherwise keep the server open).
 */
export async function listenLoopback(server: NetServer): Promise<EchoListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(0, LOOPBACK, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    host: LOOPBACK,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
