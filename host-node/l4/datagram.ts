/**
 * UDP listeners: datagrams are forwarded per client session. The first datagram from a client
 * address and port routes the session (the listener's oldest UDPRoute, a weighted backend, its
 * next endpoint) and opens an upstream socket connected to that endpoint; later datagrams of the
 * client reuse it. Replies are sent from the listener's own socket, so they come from exactly
 * the address and port the client sent to (clients with connected sockets only accept those).
 *
 * Sessions close after `udpIdleTimeoutMs` without traffic in either direction; at most
 * `udpMaxSessions` are open (the least recently active one is closed for a new one). While the
 * upstream socket is being set up, up to `udpPendingDatagrams` datagrams wait; more are dropped,
 * as UDP may drop them anyway. A reload routes new sessions only.
 */
import { createSocket, type RemoteInfo, type Socket as DatagramSocketHandle } from 'node:dgram';
import { isIP } from 'node:net';
import type { StreamTarget } from '../endpoints.js';
import { BackendPicker, routeFor } from './routes.js';
import type { L4Context, L4Socket, L4State } from './types.js';

interface Session {
  key: string;
  upstream: DatagramSocketHandle;
  /** Datagrams waiting for the upstream socket to connect; null once it has. */
  pending: Buffer[] | null;
  lastActive: number;
  closed: boolean;
}

export class DatagramSocket implements L4Socket {
  readonly server: DatagramSocketHandle;
  draining = false;
  /** In order of last activity (a session is re-inserted on each datagram): the first is the least recent. */
  private readonly sessions = new Map<string, Session>();
  private readonly picker = new BackendPicker();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    public state: L4State,
    family: 'udp4' | 'udp6',
    private readonly ctx: L4Context,
  ) {
    this.server = createSocket({ type: family, reuseAddr: false });
    this.server.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    // Errors on the listening socket (e.g. ICMP feedback on some platforms) do not stop it.
    this.server.on('error', () => undefined);
    const idle = ctx.limits.udpIdleTimeoutMs;
    this.sweeper = setInterval(() => this.sweep(), Math.max(100, Math.min(5_000, Math.floor(idle / 2))));
    this.sweeper.unref();
    this.server.once('close', () => clearInterval(this.sweeper));
  }

  get open(): number {
    return this.sessions.size;
  }

  update(state: L4State): void {
    this.state = state;
  }

  listen(address: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      // Not exclusive: `serve --workers N` workers share the primary's socket (node:cluster).
      this.server.bind({ address, port, exclusive: false }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  drain(): void {
    this.destroy();
  }

  destroy(): void {
    if (this.draining) return;
    this.draining = true;
    clearInterval(this.sweeper);
    for (const s of [...this.sessions.values()]) this.close(s);
    try {
      this.server.close();
    } catch {
      // Never bound, or closed already: nothing to release.
    }
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.draining) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    let session = this.sessions.get(key);
    if (session) {
      this.sessions.delete(key);
      this.sessions.set(key, session);
    } else {
      const opened = this.openSession(key, rinfo);
      if (!opened) return;
      session = opened;
    }
    session.lastActive = Date.now();
    if (session.pending) {
      if (session.pending.length < this.ctx.limits.udpPendingDatagrams) session.pending.push(msg);
      return;
    }
    session.upstream.send(msg);
  }

  private openSession(key: string, client: RemoteInfo): Session | undefined {
    const state = this.state;
    const listener = state.listeners[0];
    const route = listener ? routeFor(listener, undefined) : null;
    if (!listener || !route) return this.refuse(client, `no route on UDP port ${state.port}`);
    const pick = this.picker.pick(route);
    if (!pick.ok) return this.refuse(client, pick.reason);
    const { service } = pick.backend;
    const target: StreamTarget | undefined = this.ctx.endpoints().streamEndpoints(service, 'UDP').next();
    if (!target) return this.refuse(client, `${route.id}: no ready endpoint for ${service.namespace}/${service.name}:${service.port}`);
    while (this.sessions.size >= this.ctx.limits.udpMaxSessions) {
      const oldest = this.sessions.values().next().value as Session;
      this.close(oldest);
    }
    const upstream = createSocket(isIP(target.host) === 6 ? 'udp6' : 'udp4');
    const session: Session = { key, upstream, pending: [], lastActive: Date.now(), closed: false };
    this.sessions.set(key, session);
    upstream.on('message', (reply) => {
      if (session.closed) return;
      session.lastActive = Date.now();
      this.server.send(reply, client.port, client.address);
    });
    // A refused or unreachable endpoint (ICMP) ends the session; the next datagram opens a new one.
    upstream.on('error', () => this.close(session));
    upstream.connect(target.port, target.host, () => {
      if (session.closed) return;
      const queued = session.pending ?? [];
      session.pending = null;
      for (const datagram of queued) upstream.send(datagram);
    });
    return session;
  }

  private close(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
    try {
      session.upstream.close();
    } catch {
      // Closed already.
    }
  }

  /** Closes sessions idle for longer than the timeout (at most `udpMaxSessions` to look at). */
  private sweep(): void {
    const cutoff = Date.now() - this.ctx.limits.udpIdleTimeoutMs;
    for (const session of [...this.sessions.values()]) {
      if (session.lastActive > cutoff) continue;
      this.close(session);
    }
  }

  private refuse(client: RemoteInfo, reason: string): undefined {
    this.ctx.refused?.({ socket: `udp ${this.state.port}`, client: client.address, reason });
    return undefined;
  }
}
