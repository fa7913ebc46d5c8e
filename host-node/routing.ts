/**
 * The routing step shared by requests and upgrades: authority, one core match, SNI/Host
 * coherence on HTTPS (421), and the answers for requests that cannot be forwarded.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { canonicalAnswer, canonicalizeTarget } from '../src/runtime/canonical-path.js';
import { RecordHeaders, type RequestHead } from '../src/runtime/filters/index.js';
import { isGrpcRequest } from '../src/runtime/request.js';
import type { Decision } from '../src/runtime/types.js';
import type { BackendInfo } from '../src/compile/manifest.js';
import type { EndpointDirectory, EndpointSet } from './endpoints.js';
import type { Generation } from './generation.js';
import { clientAddress, upstreamRequestHeaders, type ForwardingTrust } from './headers.js';
import type { BindingState, GatewayRequest } from './servers.js';

export type Routed =
  | { ok: true; decision: Decision; authority: string }
  | { ok: false; status: number; headers?: [string, string][]; decision: Decision | null; authority: string };

export function authorityOf(req: GatewayRequest): string | undefined {
  if (req.httpVersionMajor === 2) return (req.headers[':authority'] as string | undefined) ?? req.headers.host;
  return (req as IncomingMessage).headers.host;
}

export function route(generation: Generation, req: GatewayRequest, state: BindingState): Routed {
  const authority = authorityOf(req);
  if (authority === undefined || authority === '') return { ok: false, status: 400, decision: null, authority: '' };
  // One canonical target is matched and forwarded (security rule 1): req.url becomes it.
  const target = canonicalizeTarget(req.url ?? '/');
  if (target.kind !== 'ok') {
    const answer = canonicalAnswer(target, isGrpcRequest(req.headers));
    return { ok: false, status: answer.status, ...(answer.headers.length > 0 ? { headers: answer.headers } : {}), decision: null, authority };
  }
  req.url = target.target;
  const result = generation.router.match({
    method: req.method ?? 'GET',
    host: authority,
    path: req.url ?? '/',
    headers: req.headers,
    port: state.port,
    gateway: state.gateway,
  });
  if (state.sni !== undefined && result.listener !== null) {
    const serverName = (req.socket as TLSSocket).servername;
    if (typeof serverName === 'string' && serverName !== '') {
      const chosen = state.sni.listenerFor(serverName);
      if (chosen !== null && (chosen.name !== result.listener.name || chosen.gateway !== result.listener.gateway)) {
        return { ok: false, status: 421, decision: result.matched ? result : null, authority };
      }
    }
    // A handshake whose SNI picked no listener passed the default listener's client-certificate check only.
    if (!state.sni.validatedFor(typeof serverName === 'string' ? serverName : undefined, result.listener)) {
      return { ok: false, status: 421, decision: result.matched ? result : null, authority };
    }
  }
  if (!result.matched) return { ok: false, status: result.reason === 'too-long' ? 431 : 404, decision: null, authority };
  // Decisions that cannot be forwarded are answered by planRequest (500, or a redirect / CORS preflight of a rule without backends).
  return { ok: true, decision: result, authority };
}

/** Per generation's endpoint directory: the endpoint set of each backend without TLS (the same from every Gateway). */
const endpointSets = new WeakMap<EndpointDirectory, WeakMap<BackendInfo, EndpointSet>>();

/**
 * The endpoints of a picked backend as reached from `gateway`: `EndpointDirectory.endpoints`,
 * remembered per backend object so a request does not build the directory's string key.
 */
export function backendEndpoints(generation: Generation, backend: BackendInfo, gateway: string | undefined): EndpointSet {
  const directory = generation.endpoints;
  // A BackendTLSPolicy's client certificate is the Gateway's: the directory keys those by Gateway.
  if (backend.tls) return directory.endpoints(backend, gateway);
  let sets = endpointSets.get(directory);
  if (sets === undefined) endpointSets.set(directory, (sets = new WeakMap()));
  let set = sets.get(backend);
  if (set === undefined) sets.set(backend, (set = directory.endpoints(backend, gateway)));
  return set;
}

/** Whether the request carries no body, so it can be replayed and mirrored. */
export function isBodiless(req: GatewayRequest): boolean {
  const length = req.headers['content-length'];
  if (req.httpVersionMajor === 2) {
    const stream = (req as { stream?: { endAfterHeaders?: boolean } }).stream;
    return stream?.endAfterHeaders === true || length === '0';
  }
  return (length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined;
}

/** The client request as the filters see it: hop-by-hop headers gone, X-Forwarded-* added. */
export function clientHead(req: GatewayRequest, state: BindingState, authority: string, trust: ForwardingTrust): RequestHead {
  const clientIp = clientAddress(req.socket?.remoteAddress);
  const headers = upstreamRequestHeaders(req.headers, { clientIp, proto: state.scheme, authority, trustForwarded: trust.trusts(clientIp) });
  return { method: req.method ?? 'GET', scheme: state.scheme, authority, path: req.url ?? '/', headers: new RecordHeaders(headers, true) };
}
