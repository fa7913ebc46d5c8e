/** The contract between the gateway and its TCP, TLS and UDP sockets. */
import type { Socket as DatagramServer } from 'node:dgram';
import type { Server as NetServer } from 'node:net';
import type { EndpointDirectory } from '../endpoints.js';
import type { L4Listener } from './routes.js';

/** What an L4 socket serves right now; replaced as a whole on reload (connections keep the one they started with). */
export interface L4State {
  /** The listener port of the manifests (the bound port minus the offset). */
  readonly port: number;
  /** TCP and UDP: exactly one listener; TLS: every TLS listener sharing the address and port. */
  readonly listeners: readonly L4Listener[];
}

export interface L4Limits {
  /** TCP connect timeout toward a backend (ms). */
  connectTimeoutMs: number;
  /** How long a TLS client may take to send its ClientHello, and a terminated handshake to finish (ms). */
  helloTimeoutMs: number;
  /** A UDP client session without datagrams in either direction for this long is closed (ms). */
  udpIdleTimeoutMs: number;
  /** UDP client sessions per socket; the least recently active one is closed beyond it. */
  udpMaxSessions: number;
  /** Datagrams queued per UDP session while its upstream socket is being set up. */
  udpPendingDatagrams: number;
}

export const DEFAULT_L4_LIMITS: L4Limits = {
  connectTimeoutMs: 10_000,
  helloTimeoutMs: 10_000,
  udpIdleTimeoutMs: 30_000,
  udpMaxSessions: 4096,
  udpPendingDatagrams: 64,
};

/** Why a connection or datagram session was refused, for the operator's log. */
export type L4Refusal = { socket: string; client: string; reason: string };

export interface L4Context {
  /** The endpoints of the generation new connections start on. */
  endpoints(): EndpointDirectory;
  limits: L4Limits;
  /** Called when a connection or session cannot be routed or forwarded. */
  refused?(refusal: L4Refusal): void;
}

/** One bound L4 socket. */
export interface L4Socket {
  readonly server: NetServer | DatagramServer;
  readonly state: L4State;
  /** Serves `state` from now on; open connections and sessions keep their backend. */
  update(state: L4State): void;
  /** Stops accepting; open TCP connections stay until `destroy`, UDP sessions close now. */
  drain(): void;
  /** Closes every connection and session now. */
  destroy(): void;
  readonly draining: boolean;
  /** Binds `address:port`; rejects with the bind error. */
  listen(address: string, port: number): Promise<void>;
  /** Open client connections (TCP/TLS) or sessions (UDP). */
  readonly open: number;
}
