/**
 * TLS termination for HTTPS listeners sharing one socket: the SNI server name picks the
 * listener the way a Host header would (exact, longest wildcard, then no hostname; first in
 * order on a tie), and that listener's certificate whose DNS names fit the name (exact, then
 * wildcard, else its first). Without SNI the first listener's first certificate is served.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import { listenerScore, normalizeHost } from '../src/compile/hostnames.js';
import type { ResolvedCertificate } from '../src/resolve/types.js';

export interface TlsListener {
  /** Listener name as the route table reports it (ListenerInfo.name). */
  name: string;
  /** `namespace/name` of its Gateway. */
  gateway: string;
  hostname?: string;
  certificates: readonly ResolvedCertificate[];
}

/** Bounds the per-selector cache of server names seen in handshakes. */
const MAX_CACHED_NAMES = 4096;

export class SniSelector {
  private readonly contexts = new Map<ResolvedCertificate, SecureContext>();
  private readonly byName = new Map<string, TlsListener | null>();

  constructor(readonly listeners: readonly TlsListener[]) {
    if (!listeners.some((l) => l.certificates.length > 0)) throw new Error('an HTTPS socket needs at least one certificate');
  }

  /** The default certificate: the first one of the first listener that has any. */
  get defaultCertificate(): ResolvedCertificate {
    return this.listeners.find((l) => l.certificates.length > 0)!.certificates[0];
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
    const listener = this.listenerFor(serverName);
    const certs = listener && listener.certificates.length > 0 ? listener.certificates : [this.defaultCertificate];
    return this.context(pickCertificate(certs, normalizeHost(serverName)));
  }

  private context(cert: ResolvedCertificate): SecureContext {
    let ctx = this.contexts.get(cert);
    if (ctx === undefined) {
      ctx = createSecureContext({ cert: cert.certPem, key: cert.keyPem });
      this.contexts.set(cert, ctx);
    }
    return ctx;
  }
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
