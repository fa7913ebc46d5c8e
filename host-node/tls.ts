/**
 * TLS termination for HTTPS listeners sharing one socket: the SNI server name picks the
 * listener the way a Host header would (exact, longest wildcard, then no hostname; first in
 * order on a tie), and that listener's certificate whose DNS names fit the name (exact, then
 * wildcard, else its first). Without SNI (or with a name no listener takes) the default
 * listener applies: the first one with a certificate, serving its first certificate.
 *
 * Client certificates (Gateway `spec.tls.frontend`, per port): the listener's CA bundle goes
 * into the handshake's secure context, so the client certificate is verified against the CAs
 * of the listener SNI picked. `AllowValidOnly` refuses connections without a valid client
 * certificate; `AllowInsecureFallback` asks for one and lets the connection through anyway.
 */
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { listenerScore, normalizeHost } from '../src/compile/hostnames.js';
import type { ResolvedCertificate, ResolvedListener } from '../src/resolve/types.js';

export type ClientValidation = NonNullable<NonNullable<ResolvedListener['tls']>['clientValidation']>;

export interface TlsListener {
  /** Listener name as the route table reports it (ListenerInfo.name). */
  name: string;
  /** `namespace/name` of its Gateway. */
  gateway: string;
  hostname?: string;
  certificates: readonly ResolvedCertificate[];
  /** Client-certificate validation for the listener's port; absent = no client certificate asked. */
  clientValidation?: ClientValidation;
}

/** How a TLS server treats client certificates, for every connection of the socket. */
export interface ClientCertificatePolicy {
  /** Ask clients for a certificate (some listener validates them). */
  requestCert: boolean;
  /** Let the TLS layer refuse unverified clients (every listener requires a valid certificate). */
  rejectUnauthorized: boolean;
}

/** Bounds the per-selector cache of server names seen in handshakes. */
const MAX_CACHED_NAMES = 4096;

export class SniSelector {
  private readonly contexts = new Map<ResolvedCertificate, Map<ClientValidation | undefined, SecureContext>>();
  private readonly byName = new Map<string, TlsListener | null>();
  /** The listener of handshakes whose SNI picks none: the first one with a certificate. */
  readonly defaultListener: TlsListener;
  /** Every listener validates client certificates the same way. */
  private readonly uniformValidation: boolean;

  constructor(readonly listeners: readonly TlsListener[]) {
    const first = listeners.find((l) => l.certificates.length > 0);
    if (!first) throw new Error('an HTTPS socket needs at least one certificate');
    this.defaultListener = first;
    this.uniformValidation = listeners.every((l) => sameValidation(l.clientValidation, first.clientValidation));
  }

  /** The default certificate: the first one of the first listener that has any. */
  get defaultCertificate(): ResolvedCertificate {
    return this.defaultListener.certificates[0];
  }

  /** The server's own secure context (handshakes without SNI): the default listener's. */
  get defaultContextOptions(): SecureContextOptions {
    return secureContextOptions(this.defaultCertificate, this.defaultListener.clientValidation);
  }

  /** The server-wide client-certificate settings; per-listener differences are enforced by `requiresValidClient`. */
  get clientCertificates(): ClientCertificatePolicy {
    const requestCert = this.listeners.some((l) => l.clientValidation !== undefined);
    return { requestCert, rejectUnauthorized: requestCert && this.listeners.every((l) => l.clientValidation?.mode === 'AllowValidOnly') };
  }

  /** Whether a connection whose handshake named `serverName` must have presented a valid client certificate. */
  requiresValidClient(serverName: string | undefined): boolean {
    return this.handshakeListener(serverName).clientValidation?.mode === 'AllowValidOnly';
  }

  /**
   * Whether a connection whose handshake named `serverName` passed the client-certificate
   * check `listener` (picked by the request's Host) requires. False only when that listener
   * accepts valid certificates only and the handshake applied another listener's check (SNI
   * picked none, so the default listener's): such a request is misdirected (421).
   */
  validatedFor(serverName: string | undefined, listener: { name: string; gateway: string }): boolean {
    if (this.uniformValidation) return true;
    const target = this.listeners.find((l) => l.name === listener.name && l.gateway === listener.gateway);
    if (target?.clientValidation?.mode !== 'AllowValidOnly') return true;
    return sameValidation(this.handshakeListener(serverName).clientValidation, target.clientValidation);
  }

  /** The listener whose certificate and client-certificate check a handshake naming `serverName` gets. */
  private handshakeListener(serverName: string | undefined): TlsListener {
    const chosen = serverName ? this.listenerFor(serverName) : null;
    return chosen && chosen.certificates.length > 0 ? chosen : this.defaultListener;
  }

  /** The listener an SNI name selects; null when no listener accepts it. */
  listenerFor(serverName: string): TlsListener | null {
    const cached = this.byName.get(serverName);
    if (cached !== undefined) return cached;
    const host = normalizeHost(serverName);
    let best: TlsListener | null = null;
    let bestScore = 0;
    for (const l of this.listeners) {
      const score = listenerScore(l.hostname, host);
      if (score > bestScore) {
        best = l;
        bestScore = score;
      }
    }
    if (this.byName.size >= MAX_CACHED_NAMES) this.byName.clear();
    this.byName.set(serverName, best);
    return best;
  }

  /** The secure context for a handshake naming `serverName`. */
  contextFor(serverName: string): SecureContext {
    const chosen = this.listenerFor(serverName);
    const listener = chosen && chosen.certificates.length > 0 ? chosen : null;
    const certs = listener ? listener.certificates : [this.defaultCertificate];
    return this.context(pickCertificate(certs, normalizeHost(serverName)), (listener ?? this.defaultListener).clientValidation);
  }

  private context(cert: ResolvedCertificate, validation: ClientValidation | undefined): SecureContext {
    let byValidation = this.contexts.get(cert);
    if (byValidation === undefined) this.contexts.set(cert, (byValidation = new Map()));
    let ctx = byValidation.get(validation);
    if (ctx === undefined) {
      ctx = createSecureContext(secureContextOptions(cert, validation));
      byValidation.set(validation, ctx);
    }
    return ctx;
  }
}

/** Options for a secure context serving `cert` and verifying client certificates against `validation`'s CAs. */
export function secureContextOptions(cert: ResolvedCertificate, validation: ClientValidation | undefined): SecureContextOptions {
  return { cert: cert.certPem, key: cert.keyPem, ...(validation ? { ca: [...validation.caCertificates] } : {}) };
}

function sameValidation(a: ClientValidation | undefined, b: ClientValidation | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.mode === b.mode && a.caCertificates.length === b.caCertificates.length && a.caCertificates.every((pem, i) => pem === b.caCertificates[i]);
}

/** Exact DNS name, then a `*.` name covering one label, else the first certificate. */
export function pickCertificate(certs: readonly ResolvedCertificate[], host: string): ResolvedCertificate {
  for (const c of certs) if (c.dnsNames.some((n) => n.toLowerCase() === host)) return c;
  const dot = host.indexOf('.');
  if (dot > 0) {
    const parent = host.slice(dot);
    for (const c of certs) if (c.dnsNames.some((n) => n.startsWith('*.') && n.slice(1).toLowerCase() === parent)) return c;
  }
  return certs[0];
}
