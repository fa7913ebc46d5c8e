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
import type { BackendInfo, MatchPath } from '../../compile/manifest.js';
import type { HTTPRouteFilter } from '../../model/gateway-api.js';
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

/** Rule filters in spec order, then the picked backend's filters. */
function filterChain(decision: Decision): ChainLink[] {
  const chain: ChainLink[] = (decision.rule.filters as HTTPRouteFilter[]).map((filter, index) => ({ filter, index }));
  if (decision.backend && decision.backend.filters.length > 0) {
    const backend = decision.backendIndex;
    (decision.backend.filters as HTTPRouteFilter[]).forEach((filter, index) => chain.push({ filter, index, backend }));
  }
  return chain;
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
  const chain = filterChain(decision);

  const cors = chain.find((l) => l.filter.type === 'CORS')?.filter.cors;
  if (cors && isPreflight(head)) return answer(preflightResponse(cors, head), head);
  const redirect = chain.find((l) => l.filter.type === 'RequestRedirect')?.filter.requestRedirect;
  if (redirect) return answer(redirectResponse(redirect, head, decision.listener, matchedPath(decision)), head);
  if (chain.some((l) => l.filter.type === 'ExternalAuth')) return answer({ status: 500, headers: [] }, head);
  if (decision.outcome !== 'forward') return answer({ status: 500, headers: [] }, head);

  const upstream: RequestHead = { method: head.method, scheme: head.scheme, authority: head.authority, path: head.path, headers: head.headers };
  let ownHeaders = false;
  /** Copy-on-write: the input's headers are copied the first time a filter changes headers. */
  const writable = (): RequestHead => {
    if (!ownHeaders) {
      upstream.headers = copyHeaders(head.headers);
      ownHeaders = true;
    }
    return upstream;
  };
  const mirrors: MirrorPlan[] = [];
  for (const link of chain) {
    const f = link.filter;
    switch (f.type) {
      case 'RequestHeaderModifier':
        if (f.requestHeaderModifier) applyRequestHeaderModifier(writable(), f.requestHeaderModifier);
        break;
      case 'URLRewrite':
        if (f.urlRewrite) applyUrlRewrite(f.urlRewrite.hostname !== undefined ? writable() : upstream, f.urlRewrite, matchedPath(decision));
        break;
      case 'RequestMirror':
        if (f.requestMirror && sampleMirror(f.requestMirror, random)) {
          const mirror = planMirror(mirrorTarget(decision, link), upstream);
          if (mirror) mirrors.push(mirror);
        }
        break;
      default:
        // Response-phase filters (ResponseHeaderModifier, CORS) run in editResponse; the
        // answering ones were handled above; ExtensionRef never reaches here (unresolved-filter).
        break;
    }
  }
  return { upstream, mirrors };
}

/**
 * Edits upstream response headers (in place) before they go to the client:
 * ResponseHeaderModifier (rule, then backend) and CORS response headers
 * (Access-Control-Allow-Origin etc. for an allowed Origin), in chain order. `request` is the
 * head given to `planRequest` (its Origin decides CORS). `status` is the upstream status: the
 * filters of this API version apply to every status alike.
 */
export function editResponse(decision: Decision, request: RequestHead, status: number, headers: HeaderMap): void {
  for (const { filter } of filterChain(decision)) {
    if (filter.type === 'ResponseHeaderModifier' && filter.responseHeaderModifier) applyResponseHeaderModifier(headers, filter.responseHeaderModifier);
    else if (filter.type === 'CORS' && filter.cors) addCorsHeaders(filter.cors, request, headers);
  }
}
