/**
 * Conflicts between listeners sharing a port, judged in precedence order: the Gateway's own
 * listeners first, then each attached ListenerSet (oldest first, then namespace/name).
 *
 * - ProtocolConflict: same port and transport, incompatible protocols (HTTP vs HTTPS/TLS vs TCP;
 *   HTTPS and TLS share a port through SNI, and TLS Terminate and Passthrough may be mixed).
 * - HostnameConflict: same port, compatible protocols and the same hostname (TCP and UDP
 *   listeners have none, so two of them on one port always conflict).
 *
 * Among a Gateway's own listeners every party of a conflict is marked; a ListenerSet listener
 * that conflicts with one of higher precedence is the only one marked. Listeners that survive and
 * terminate TLS on one port with overlapping hostnames get OverlappingTLSConfig.
 */
import { hostnamesOverlap } from './hostnames.js';
import type { ListenerState } from './listeners.js';

function family(protocol: string): string {
  switch (protocol) {
    case 'HTTP': return 'http';
    case 'HTTPS':
    case 'TLS': return 'tls';
    case 'TCP': return 'tcp';
    case 'UDP': return 'udp';
    default: return protocol;
  }
}

function transport(protocol: string): 'udp' | 'tcp' {
  return protocol === 'UDP' ? 'udp' : 'tcp';
}

function conflictBetween(a: ListenerState, b: ListenerState): { reason: string; message: string } | undefined {
  const la = a.listener;
  const lb = b.listener;
  if (la.port !== lb.port || transport(la.protocol) !== transport(lb.protocol)) return undefined;
  const other = `${describe(a)}`;
  if (family(la.protocol) !== family(lb.protocol)) {
    return { reason: 'ProtocolConflict', message: `Protocol ${lb.protocol} on port ${lb.port} conflicts with ${la.protocol} ${other}` };
  }
  const fa = family(la.protocol);
  const ha = fa === 'tcp' || fa === 'udp' ? '' : (la.hostname ?? '').toLowerCase();
  const hb = fa === 'tcp' || fa === 'udp' ? '' : (lb.hostname ?? '').toLowerCase();
  if (ha === hb) {
    const host = hb ? `hostname "${hb}"` : 'no hostname';
    return { reason: 'HostnameConflict', message: `Port ${lb.port} with ${host} is already used by ${other}` };
  }
  return undefined;
}

function describe(s: ListenerState): string {
  return `listener "${s.listener.name}" of ${s.owner.kind} ${s.owner.namespace}/${s.owner.name}`;
}

/**
 * Marks conflicts. `gatewayListeners` are the Gateway's own: the spec forbids picking a winner
 * among indistinct listeners of one Gateway, so every party is marked. `listenerSets` follow in
 * precedence order, and each of their listeners (in list order) is judged against the listeners
 * that are already accepted: it loses to them, they keep working.
 */
export function resolveConflicts(gatewayListeners: readonly ListenerState[], listenerSets: readonly (readonly ListenerState[])[]): void {
  const own = gatewayListeners.filter((s) => s.supportedProtocol);
  for (let i = 0; i < own.length; i++) {
    for (let j = i + 1; j < own.length; j++) {
      const c = conflictBetween(own[i], own[j]);
      if (!c) continue;
      own[j].conflict ??= c;
      own[i].conflict ??= conflictBetween(own[j], own[i]);
    }
  }
  const winners = own.filter((s) => !s.conflict);
  for (const set of listenerSets) {
    for (const s of set) {
      if (!s.supportedProtocol) continue;
      for (const w of winners) {
        const c = conflictBetween(w, s);
        if (c) {
          s.conflict = c;
          break;
        }
      }
      if (!s.conflict) winners.push(s);
    }
  }
  markOverlappingTLS(winners);
}

function terminatesTLS(s: ListenerState): boolean {
  return s.listener.protocol === 'HTTPS' || (s.listener.protocol === 'TLS' && s.listener.tls?.mode === 'Terminate');
}

function markOverlappingTLS(listeners: readonly ListenerState[]): void {
  const tls = listeners.filter(terminatesTLS);
  for (let i = 0; i < tls.length; i++) {
    for (let j = i + 1; j < tls.length; j++) {
      const a = tls[i];
      const b = tls[j];
      if (a.listener.port !== b.listener.port || !hostnamesOverlap(a.listener.hostname, b.listener.hostname)) continue;
      a.overlappingTLS ??= `Hostname ${hostDesc(a)} overlaps ${hostDesc(b)} of ${describe(b)} on port ${a.listener.port}`;
      b.overlappingTLS ??= `Hostname ${hostDesc(b)} overlaps ${hostDesc(a)} of ${describe(a)} on port ${b.listener.port}`;
    }
  }
}

function hostDesc(s: ListenerState): string {
  return s.listener.hostname ? `"${s.listener.hostname}"` : '(any)';
}
