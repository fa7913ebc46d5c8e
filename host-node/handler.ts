/**
 * The request path: route (one core match), plan the filters, answer locally or forward. One
 * generation is pinned per request, from routing to the last byte.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { planRequest } from '../src/runtime/filters/index.js';
import type { Decision } from '../src/runtime/types.js';
import type { Generation } from './generation.js';
import { sendMirrors } from './mirror.js';
import type { Observers, RequestEndInfo } from './observe.js';
import { rulePolicy } from './policy.js';
import { withGrpcDeadline } from './grpc.js';
import { ProxyExchange } from './proxy.js';
import { reply } from './respond.js';
import { clientAddress, type ForwardingTrust } from './headers.js';
import { checkRequest, type Refusal } from './request-guard.js';
import { backendEndpoints, clientHead, isBodiless, route } from './routing.js';
import type { GatewayRequest, GatewayResponse, GatewaySocket, RequestSink } from './servers.js';
import { answerUpgrade, proxyUpgrade } from './websocket.js';

export interface HandlerContext {
  /** The generation new requests start on. */
  current(): Generation;
  observers: Observers;
  /** Which peers' X-Forwarded-For is kept (default: none). */
  trust: ForwardingTrust;
}

export class GatewayHandler implements RequestSink {
  constructor(private readonly ctx: HandlerContext) {}

  request(req: GatewayRequest, res: GatewayResponse, socket: GatewaySocket): void {
    const refusal = checkRequest(req, socket.limits);
    if (refusal !== undefined) return this.refuse(req, res, socket, refusal);
    const state = socket.state;
    const generation = this.ctx.current();
    generation.enter();
    const routed = route(generation, req, state);
    const observers = this.ctx.observers;
    const observed = observers.requestEnd.length > 0;
    let exchange: ProxyExchange | undefined;
    const started = observed ? performance.now() : 0;
    // The one listener of the request: the generation, the observers, then the exchange. Its own
    // guard instead of `once` (which wraps every listener in two more objects).
    let closed = false;
    res.on('close', () => {
      if (closed) return;
      closed = true;
      generation.leave();
      if (observed) observers.emitRequestEnd(endInfo(req, res, routed.decision, started, exchange));
      exchange?.onClientClose();
    });
    if (!routed.ok) return reply(res, routed.status, socket.draining, routed.headers);
    const decision = routed.decision;
    const head = clientHead(req, state, routed.authority, this.ctx.trust);
    const plan = planRequest(decision, head, Math.random);
    if (plan.respond) return reply(res, plan.respond.status, socket.draining, plan.respond.headers, plan.respond.body);
    const bodiless = isBodiless(req);
    if (plan.mirrors.length > 0 && bodiless) sendMirrors(generation, plan.mirrors, decision.listener.gateway);
    exchange = new ProxyExchange({
      generation,
      req,
      res,
      decision,
      request: head,
      upstream: plan.upstream,
      endpoints: backendEndpoints(generation, decision.backend!, decision.listener.gateway),
      policy: withGrpcDeadline(rulePolicy(decision.rule), req.headers),
      bodiless,
      bodyLimit: socket.limits.maxRequestBodyBytes,
      socket,
    });
    exchange.start();
  }

  upgrade(req: IncomingMessage, client: Duplex, head: Buffer, socket: GatewaySocket): void {
    const refusal = checkRequest(req, socket.limits);
    if (refusal !== undefined) {
      client.on('error', () => client.destroy());
      return answerUpgrade(client, refusal.status, refusal.headers);
    }
    const generation = this.ctx.current();
    generation.enter();
    client.once('close', () => generation.leave());
    proxyUpgrade(generation, req, client, head, socket.state, this.ctx.trust);
  }

  /** Answers a request the guard refused (nothing is routed or forwarded). */
  private refuse(req: GatewayRequest, res: GatewayResponse, socket: GatewaySocket, refusal: Refusal): void {
    if (this.ctx.observers.requestEnd.length > 0) {
      const started = performance.now();
      res.once('close', () => this.ctx.observers.emitRequestEnd(endInfo(req, res, null, started, undefined)));
    }
    reply(res, refusal.status, refusal.close || socket.draining, refusal.headers);
  }
}

function endInfo(req: GatewayRequest, res: GatewayResponse, decision: Decision | null, started: number, exchange: ProxyExchange | undefined): RequestEndInfo {
  const service = decision?.backend?.service;
  const length = Number(req.headers['content-length']);
  return {
    routeId: decision?.id ?? null,
    backend: service ? `${service.namespace}/${service.name}:${service.port}` : null,
    status: res.headersSent ? res.statusCode : 0,
    durationMs: performance.now() - started,
    bytesIn: Number.isFinite(length) ? length : 0,
    bytesOut: exchange?.bytesOut ?? 0,
    method: req.method ?? '',
    host: (req.httpVersionMajor === 2 ? (req.headers[':authority'] as string | undefined) : undefined) ?? req.headers.host ?? '',
    path: req.url ?? '',
    client: clientAddress(req.socket?.remoteAddress),
    ...(exchange?.upstreamError !== undefined ? { upstreamError: exchange.upstreamError } : {}),
  };
}
