/**
 * The HTTPRoute/GRPCRoute filters, shared by every host. Pure functions of the decision and the
 * request: no I/O, no platform APIs, so the Node gateway and the Workers host run the same code.
 *
 * A host calls, per matched request:
 *
 *   const plan = planRequest(decision, head, Math.random);
 *   if (plan.respond) -> send plan.respond (nothing goes upstream);
 *   else -> send plan.mirrors (fire and forget), proxy plan.upstream to decision.backend, then
 *           editResponse(decision, head, status, responseHeaders) before answering the client.
 *
 * `planRequest` also covers decisions that cannot be forwarded (no backend, an unresolved
 * backend or filter): it answers 500 itself, except that a rule without backends still
 * redirects and answers CORS preflights (a RequestRedirect rule has no backendRefs).
 *
 * Order. The chain is the rule's filters in spec order followed by the picked backend's own
 * filters (HTTPBackendRef.filters), which act on the request as the rule left it.
 *
 * 1. The answering filters come first, whatever their position, because once the gateway
 *    answers nothing goes upstream and filters before them would have no observable effect:
 *    - a CORS preflight is answered before a redirect, since browsers do not follow redirects
 *      of preflights (the preflight must succeed for the actual request to be sent);
 *    - RequestRedirect builds Location from the request as received (the spec forbids
 *      combining it with URLRewrite);
 *    - ExternalAuth is not performed by this module and fails closed (500), as the spec
 *      requires when the authorization service cannot be consulted.
 * 2. Otherwise the request-phase filters run in chain order on a working copy of the head:
 *    RequestHeaderModifier and URLRewrite change it, and each RequestMirror takes a copy of it
 *    as it stands at that position (the spec asks for filters to apply in the order written:
 *    a mirror listed after a header modifier sends the modified headers, one listed before it
 *    does not). Mirrors never see later changes, and the main request never sees a mirror's.
 * 3. `editResponse` runs the response-phase filters in chain order: ResponseHeaderModifier and
 *    the CORS headers of actual requests.
 *
 * The answers the gateway gives itself (`respond`) are final: response-phase filters apply to
 * upstream responses only.
 */
import type { BackendInfo, MatchPath, RuleInfo } from '../../compile/manifest.js';
import type { HTTPCORSFilter, HTTPRequestRedirectFilter, HTTPRouteFilter } from '../../model/gateway-api.js';
import type { Decision } from '../types.js';
import { addCorsHeaders, isPreflight, preflightResponse } from './cors.js';
import { copyHeaders, type HeaderMap } from './headers.js';
import { applyRequestHeaderModifier } from './request-header-modifier.js';
import { planMirror, sampleMirror } from './request-mirror.js';
import { redirectResponse } from './request-redirect.js';
import { applyResponseHeaderModifier } from './response-header-modifier.js';
import type { ImmediateResponse, MirrorPlan, RequestHead, RequestPlan } from './types.js';
import { applyUrlRewrite } from './url-rewrite.js';

export { RecordHeaders, copyHeaders, type HeaderMap, type HeaderRecord } from './headers.js';
export type { ImmediateResponse, MirrorPlan, RequestHead, RequestPlan } from './types.js';

/** A filter of the chain and where it was written. */
interface ChainLink {
  filter: HTTPRouteFilter;
  /** Its index in the list it belongs to (the rule's, or the backend's). */
  index: number;
  /** `Decision.backendIndex` for a backend's own filter; undefined for a rule filter. */
  backend?: number;
}

/**
 * What the filters of one chain (a rule, plus the picked backend's own filters) ask of every
 * request, worked out once: rules and backends come from the table and never change.
 */
interface Chain {
  /** The first CORS filter's configuration (it answers preflights). */
  cors: HTTPCORSFilter | undefined;
  /** The first RequestRedirect filter's configuration. */
  redirect: HTTPRequestRedirectFilter | undefined;
  externalAuth: boolean;
  /** RequestHeaderModifier, URLRewrite and RequestMirror links, in chain order. */
  request: ChainLink[];
  /** ResponseHeaderModifier and CORS links that act, in chain order. */
  response: ChainLink[];
}

/** Per rule: the chain without backend filters, and one per picked backend (by index) that has filters of its own. */
const chains = new WeakMap<RuleInfo, { rule?: Chain; backends?: Chain[] }>();

/** Rule filters in spec order, then the picked backend's filters. */
function chainOf(decision: Decision): Chain {
  let entry = chains.get(decision.rule);
  if (entry === undefined) chains.set(decision.rule, (entry = {}));
  const backend = decision.backend;
  if (backend === null || backend.filters.length === 0) return (entry.rule ??= buildChain(decision));
  return ((entry.backends ??= [])[decision.backendIndex] ??= buildChain(decision));
}

function buildChain(decision: Decision): Chain {
  const links: ChainLink[] = (decision.rule.filters as HTTPRouteFilter[]).map((filter, index) => ({ filter, index }));
  if (decision.backend && decision.backend.filters.length > 0) {
    const backend = decision.backendIndex;
    (decision.backend.filters as HTTPRouteFilter[]).forEach((filter, index) => links.push({ filter, index, backend }));
  }
  return {
    cors: links.find((l) => l.filter.type === 'CORS')?.filter.cors,
    redirect: links.find((l) => l.filter.type === 'RequestRedirect')?.filter.requestRedirect,
    externalAuth: links.some((l) => l.filter.type === 'ExternalAuth'),
    request: links.filter((l) => l.filter.type === 'RequestHeaderModifier' || l.filter.type === 'URLRewrite' || l.filter.type === 'RequestMirror'),
    response: links.filter((l) => (l.filter.type === 'ResponseHeaderModifier' && l.filter.responseHeaderModifier) || (l.filter.type === 'CORS' && l.filter.cors)),
  };
}

function answer(respond: ImmediateResponse, head: RequestHead): RequestPlan {
  return { respond, upstream: head, mirrors: [] };
}

/** The path match that selected the rule (for ReplacePrefixMatch). */
function matchedPath(decision: Decision): MatchPath | undefined {
  return decision.rule.matchPaths?.[decision.matchIndex];
}

/** The resolved target of a RequestMirror link (RuleInfo.filterBackends). */
function mirrorTarget(decision: Decision, link: ChainLink): BackendInfo | undefined {
  return decision.rule.filterBackends.find((fb) => fb.type === 'RequestMirror' && fb.filter === link.index && fb.backend === link.backend)?.target;
}

/**
 * Plans a request for a matched decision. `random()` returns [0,1) (injected so tests are
 * deterministic). `head` is not modified; see `RequestPlan.upstream` for what is shared.
 */
export function planRequest(decision: Decision, head: RequestHead, random: () => number): RequestPlan {
  if (decision.outcome === 'unresolved-filter') return answer({ status: 500, headers: [] }, head);
  const chain = chainOf(decision);

  if (chain.cors && isPreflight(head)) return answer(preflightResponse(chain.cors, head), head);
  if (chain.redirect) return answer(redirectResponse(chain.redirect, head, decision.listener, matchedPath(decision)), head);
  if (chain.externalAuth) return answer({ status: 500, headers: [] }, head);
  if (decision.outcome !== 'forward') return answer({ status: 500, headers: [] }, head);

  const upstream: RequestHead = { method: head.method, scheme: head.scheme, authority: head.authority, path: head.path, headers: head.headers };
  const mirrors: MirrorPlan[] = [];
  /** Copy-on-write: the input's headers are copied the first time a filter changes headers. */
  let ownHeaders = false;
  for (const link of chain.request) {
    const f = link.filter;
    switch (f.type) {
      case 'RequestHeaderModifier':
        if (f.requestHeaderModifier) {
          if (!ownHeaders) upstream.headers = copyHeaders(head.headers);
          ownHeaders = true;
          applyRequestHeaderModifier(upstream, f.requestHeaderModifier);
        }
        break;
      case 'URLRewrite':
        if (f.urlRewrite) {
          if (f.urlRewrite.hostname !== undefined && !ownHeaders) {
            upstream.headers = copyHeaders(head.headers);
            ownHeaders = true;
          }
          applyUrlRewrite(upstream, f.urlRewrite, matchedPath(decision));
        }
        break;
      case 'RequestMirror':
        if (f.requestMirror && sampleMirror(f.requestMirror, random)) {
          const mirror = planMirror(mirrorTarget(decision, link), upstream);
          if (mirror) mirrors.push(mirror);
        }
        break;
      default:
        // Only request-phase filters are in `chain.request`; response-phase filters
        // (ResponseHeaderModifier, CORS) run in editResponse.
        break;
    }
  }
  return { upstream, mirrors };
}

/** Whether `editResponse` would change anything for this decision (a host may skip it otherwise). */
export function hasResponseFilters(decision: Decision): boolean {
  return (decision.rule.filters.length > 0 || (decision.backend !== null && decision.backend.filters.length > 0)) && chainOf(decision).response.length > 0;
}

/**
 * Edits upstream response headers (in place) before they go to the client:
 * ResponseHeaderModifier (rule, then backend) and CORS response headers
 * (Access-Control-Allow-Origin etc. for an allowed Origin), in chain order. `request` is the
 * head given to `planRequest` (its Origin decides CORS). `status` is the upstream status: the
 * filters of this API version apply to every status alike.
 */
export function editResponse(decision: Decision, request: RequestHead, status: number, headers: HeaderMap): void {
  if (decision.rule.filters.length === 0 && (decision.backend === null || decision.backend.filters.length === 0)) return;
  for (const { filter } of chainOf(decision).response) {
    if (filter.type === 'ResponseHeaderModifier') applyResponseHeaderModifier(headers, filter.responseHeaderModifier!);
    else addCorsHeaders(filter.cors!, request, headers);
  }
}
