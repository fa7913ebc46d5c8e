/**
 * TCP, TLS and UDP listeners of the Node gateway (TCPRoute, TLSRoute, UDPRoute): the sockets and
 * the per-connection routing they share.
 */
import { isIP } from 'node:net';
import { DatagramSocket } from './datagram.js';
import { StreamSocket } from './stream.js';
import type { L4Context, L4Socket, L4State } from './types.js';

export { DEFAULT_L4_LIMITS, type L4Context, type L4Limits, type L4Refusal, type L4Socket, type L4State } from './types.js';
export { l4Listener, L4_PROTOCOLS, type L4Listener, type L4Route, type L4Backend } from './routes.js';

export type L4Scheme = 'tcp' | 'tls' | 'udp';

/** A socket for `scheme` serving `state`; UDP sockets take the address family of `address`. */
export function createL4Socket(scheme: L4Scheme, state: L4State, ctx: L4Context, address: string): L4Socket {
  if (scheme === 'udp') return new DatagramSocket(state, isIP(address) === 6 ? 'udp6' : 'udp4', ctx);
  return new StreamSocket(state, scheme, ctx);
}
