/**
 * The edge request path, shared by the Workers entry (worker.ts) and the hono middleware
 * (hono.ts). It follows the Node gateway's order of operations (host-node/handler.ts,
 * routing.ts, proxy.ts) with the same shared code, so both hosts answer alike:
 *
 *   authority -> canonical target (400 / escaped-slash redirect) -> one core match (404/431)
 *   -> planRequest (redirects, CORS preflights and 500s answered here; header modifiers and
 *   URLRewrite applied) -> mirrors (requests without a body, via ctx.waitUntil) -> fetch the
 *   origin with `redirect: 'manual'` under the rule's timeouts (504) -> hop-by-hop headers
 *   removed, editResponse -> response.
 *
 * What the edge cannot do the same way is reported by `switchyard status --target edge`
 * (findings.ts): retries are not performed; the origin sees its own host name as Host (the
 * client's Host travels in X-Forwarded-Host, a URLRewrite hostname is not sent); TLS to the
 * origin is the platform's.
 */
import { editResponse, planRequest, type HeaderMap, type ImmediateResponse, type MirrorPlan, type RequestHead } from '../src/runtime/filters/index.js';
import { canonicalAnswer, canonicalizeTarget } from '../src/runtime/canonical-path.js';
import { isGrpcRequest } from '../src/runtime/request.js';
import type { Decision } from '../src/runtime/types.js';
import { rulePolicy } from '../host-node/policy.js';
import type { BackendMap, OriginDirectory } from './backend-map.js';
import type { ExecutionContextLike, WorkerEnv } from './platform.js';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { TableSource, type KvTableOptions } from './table-source.js';

export interface EdgeOptions {
  /** The compiled route table (`switchyard compile`); optional when KV provides one. */
  table?: Uint8Array | ArrayBuffer;
  /** The core module the bundle imports (`import wasm from 'switchyard/switchyard.wasm'`). */
  wasm: WebAssembly.Module;
  /** Origins per Service port (backends.ts builds one from the manifests). */
  backends?: BackendMap;
  /**
   * The listener port requests are matched on; default: 443 for https URLs, 80 for http (the
   * port in the Host header is the client's view, not the worker's listener).
   */
  port?: number;
  /** Only the listeners of this Gateway (`namespace/name`); default: any Gateway's. */
  gateway?: string;
  /** Run-time table replacement from Workers KV; `false` disables it. Default: binding SWITCHYARD_TABLE, key `table`. */
  kv?: KvTableOptions | false;
  /** Where run-time problems (a rejected KV table) are logged; default console.error. */
  log?: (message: string) => void;
}

/** What the edge path decided for a request. */
export type EdgeResult =
  /** An answer to send (a gateway answer or the origin's response). */
  | { kind: 'response'; response: Response; decision: Decision | null }
  /** No route takes the request (404), or no table is loaded: the caller may pass it on. */
  | { kind: 'no-route'; response: Response };

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A gateway answer, as the Node gateway writes it (host-node/respond.ts). */
export function gatewayResponse(status: number, headers?: readonly [string, string][], body?: string): Response {
  const text = body ?? (headers === undefined ? `${status} ${STATUS_TEXT[status] ?? ''}\n` : '');
  const out = new Headers();
  for (const [name, value] of headers ?? []) out.append(name, value);
  if (!out.has('content-type') && text !== '') out.set('content-type', 'text/plain; charset=utf-8');
  return new Response(text === '' ? null : text, { status, headers: out });
}

function immediate(answer: ImmediateResponse): Response {
  return gatewayResponse(answer.status, answer.headers, answer.body);
}

/** `path?query` of an absolute URL string, without parsing it (`/` when it has no path). */
export function targetOfUrl(url: string): string {
  const scheme = url.indexOf('://');
  const slash = url.indexOf('/', scheme < 0 ? 0 : scheme + 3);
  if (slash < 0) {
    const q = url.indexOf('?', scheme + 3);
    return q < 0 ? '/' : `/${url.slice(q)}`;
  }
  return url.slice(slash);
}

function schemeOf(url: string): 'http' | 'https' {
  return url.startsWith('https:') ? 'https' : 'http';
}

/** Headers for fetch/Response from a header map (one field per name; Set-Cookie line by line). */
function headersOf(map: HeaderMap): Headers {
  const out = new Headers();
  map.forEach((value, name) => out.append(name, value));
  return out;
}

/** Whether the rule or the picked backend has filters (response filters run only then). */
function hasFilters(decision: Decision): boolean {
  return decision.rule.filters.length > 0 || (decision.backend !== null && decision.backend.filters.length > 0);
}

function isBodiless(request: Request): boolean {
  if (request.body === null) return true;
  const length = request.headers.get('content-length');
  return length === '0';
}

/** Runs the edge request path for one table source (one per worker or middleware instance). */
export class EdgeGateway {
  private readonly tables: TableSource;

  constructor(private readonly options: EdgeOptions) {
    this.tables = new TableSource({
      ...(options.table !== undefined ? { table: options.table } : {}),
      wasm: options.wasm,
      backends: options.backends ?? {},
      ...(options.kv !== undefined ? { kv: options.kv } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  async handle(request: Request, env: WorkerEnv | undefined, ctx: ExecutionContextLike | undefined): Promise<EdgeResult> {
    const url = request.url;
    const scheme = schemeOf(url);
    const authority = request.headers.get('host') ?? authorityOfUrl(url);
    if (authority === '') return { kind: 'response', response: gatewayResponse(400), decision: null };
    const target = canonicalizeTarget(targetOfUrl(url));
    if (target.kind !== 'ok') return { kind: 'response', response: immediate(canonicalAnswer(target, isGrpcRequest(request.headers))), decision: null };
    const table = await this.tables.get(env);
    if (table === undefined) return { kind: 'no-route', response: gatewayResponse(404) };
    const result = table.router.match({
      method: request.method,
      host: authority,
      path: target.target,
      headers: request.headers,
      port: this.options.port ?? (scheme === 'https' ? 443 : 80),
      ...(this.options.gateway !== undefined ? { gateway: this.options.gateway } : {}),
    });
    if (!result.matched) {
      if (result.reason === 'too-long') return { kind: 'response', response: gatewayResponse(431), decision: null };
      return { kind: 'no-route', response: gatewayResponse(404) };
    }
    const headers = upstreamRequestHeaders(request.headers, { clientIp: request.headers.get('cf-connecting-ip') ?? '', proto: scheme, authority });
    const head: RequestHead = { method: request.method, scheme, authority, path: target.target, headers };
    const plan = planRequest(result, head, Math.random);
    if (plan.respond) return { kind: 'response', response: immediate(plan.respond), decision: result };
    const bodiless = isBodiless(request);
    if (plan.mirrors.length > 0 && bodiless) this.sendMirrors(plan.mirrors, table.origins, ctx);
    return { kind: 'response', response: await this.forward(request, result, head, plan.upstream, table.origins, bodiless), decision: result };
  }

  private async forward(request: Request, decision: Decision, head: RequestHead, upstream: RequestHead, origins: OriginDirectory, bodiless: boolean): Promise<Response> {
    const origin = origins.next(decision.backend!);
    if (origin === undefined) return gatewayResponse(503);
    const policy = rulePolicy(decision.rule);
    // No retries at the edge: the request timeout and the backend timeout bound the same single attempt.
    const limits = [policy.requestTimeoutMs, policy.backendTimeoutMs].filter((ms) => ms > 0);
    const signal = limits.length > 0 ? AbortSignal.timeout(Math.min(...limits)) : undefined;
    let response: Response;
    try {
      response = await fetch(origin + upstream.path, {
        method: upstream.method,
        headers: headersOf(upstream.headers),
        body: bodiless ? null : request.body,
        redirect: 'manual',
        ...(signal ? { signal } : {}),
      });
    } catch {
      return gatewayResponse(signal?.aborted ? 504 : 502);
    }
    const out = downstreamResponseHeaders(response.headers);
    if (hasFilters(decision)) editResponse(decision, head, response.status, out);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: headersOf(out) });
  }

  /** Fire-and-forget copies (host-node/mirror.ts): their responses are read and dropped. */
  private sendMirrors(mirrors: readonly MirrorPlan[], origins: OriginDirectory, ctx: ExecutionContextLike | undefined): void {
    for (const { backend, head } of mirrors) {
      const origin = origins.next(backend);
      if (origin === undefined) continue;
      const sent = fetch(origin + head.path, { method: head.method, headers: headersOf(head.headers), redirect: 'manual' })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
      if (ctx) ctx.waitUntil(sent);
    }
  }
}

function authorityOfUrl(url: string): string {
  const start = url.indexOf('://');
  if (start < 0) return '';
  const rest = url.slice(start + 3);
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}
