/**
 * `switchyard route`: which gateway, listener, route, rule and backend take a request, the
 * status the gateway would answer, and when nothing matches, the nearest misses with the
 * reason each failed. The decision comes from the compiled table through the Wasm core (what
 * every host runs); the misses are explained from the reference semantics.
 */
import type { BackendInfo } from '../compile/manifest.js';
import type { CompileResult } from '../pipeline.js';
import { explainRequest, type Explanation } from '../reference/explain.js';
import { planRequest, RecordHeaders } from '../runtime/filters/index.js';
import { createRouter } from '../runtime/router.js';
import type { Decision, MatchRequest, NoRoute } from '../runtime/types.js';

export interface RouteQuery {
  method: string;
  url: string;
  headers: string[];
  port?: number;
  gateway?: string;
  seed?: number;
}

interface BackendRef {
  namespace: string;
  name: string;
  port?: number;
}

export interface RouteAnswer {
  status: number;
  gateway?: string;
  listener?: string;
  route?: { kind: string; namespace: string; name: string; rule: number; match: number };
  backend?: BackendRef;
  backends?: (BackendRef & { weight: number })[];
  location?: string;
}

export class RouteQueryError extends Error {}

/** Splits `http://host[:port]/path?query` without normalising the path: the target is matched as given. */
export function parseTarget(url: string): { scheme: 'http' | 'https'; authority: string; port: number; target: string } {
  const m = /^(https?):\/\/([^/?#]+)([^#]*)/i.exec(url);
  if (!m) throw new RouteQueryError(`not an http(s) URL: ${url}`);
  const scheme = m[1].toLowerCase() as 'http' | 'https';
  const authority = m[2];
  const portMatch = /:(\d+)$/.exec(authority.startsWith('[') ? authority.slice(authority.indexOf(']')) : authority);
  const port = portMatch ? Number(portMatch[1]) : scheme === 'https' ? 443 : 80;
  const target = m[3] === '' ? '/' : m[3].startsWith('/') ? m[3] : `/${m[3]}`;
  return { scheme, authority, port, target };
}

function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RouteQueryError(`header must be 'name: value': ${line}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

const ref = (b: BackendInfo): BackendRef => ({ namespace: b.namespace, name: b.name, ...(b.port !== undefined ? { port: b.port } : {}) });

export async function answerRoute(compiled: CompileResult, query: RouteQuery): Promise<{ answer: RouteAnswer; decision: Decision | NoRoute; explanation?: Explanation }> {
  const { scheme, authority, port, target } = parseTarget(query.url);
  const headers = parseHeaders(query.headers);
  const request: MatchRequest = { method: query.method.toUpperCase(), host: headers.host ?? authority, path: target, headers, port: query.port ?? port };
  if (query.gateway) request.gateway = query.gateway;
  const router = await createRouter(compiled.table, { seed: query.seed });
  const decision = router.match(request);
  if (!decision.matched) {
    const answer: RouteAnswer = { status: decision.reason === 'too-long' ? 414 : 404 };
    if (decision.listener) Object.assign(answer, { gateway: decision.listener.gateway, listener: decision.listener.name });
    return { answer, decision, explanation: explainRequest(compiled.resolution, request) };
  }
  const answer: RouteAnswer = {
    status: decision.outcome === 'forward' ? 200 : 500,
    gateway: decision.listener.gateway,
    listener: decision.listener.name,
    route: { kind: decision.route.kind, namespace: decision.route.namespace, name: decision.route.name, rule: decision.ruleIndex, match: decision.matchIndex },
    backends: decision.rule.backends.map((b) => ({ ...ref(b), weight: b.weight })),
  };
  if (decision.backend) answer.backend = ref(decision.backend);
  if (decision.outcome === 'forward') {
    const plan = planRequest(decision, { method: request.method, scheme, authority: request.host, path: target, headers: new RecordHeaders(headers) }, Math.random);
    if (plan.respond) {
      answer.status = plan.respond.status;
      const location = plan.respond.headers.find(([name]) => name.toLowerCase() === 'location');
      if (location) answer.location = location[1];
    }
  }
  return { answer, decision };
}

/** The human-readable form of an answer. */
export function renderRouteText(query: RouteQuery, result: Awaited<ReturnType<typeof answerRoute>>): string {
  const { answer, decision, explanation } = result;
  const lines = [`${answer.status} ${query.method.toUpperCase()} ${query.url}`];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(9)}${v}`);
  if (answer.gateway) row('gateway', answer.gateway);
  if (answer.listener) row('listener', answer.listener);
  if (decision.matched) {
    row('route', `${decision.route.kind} ${decision.route.namespace}/${decision.route.name} rule ${decision.ruleIndex} match ${decision.matchIndex} (${decision.id})`);
    const weights = decision.rule.backends.map((b) => `${b.namespace}/${b.name}${b.port !== undefined ? `:${b.port}` : ''}=${b.weight}${b.problem ? ` [${b.problem}]` : ''}`);
    if (decision.backend) row('backend', `${decision.backend.namespace}/${decision.backend.name}${decision.backend.port !== undefined ? `:${decision.backend.port}` : ''} (picked from ${weights.join(', ')})`);
    else row('backend', weights.length === 0 ? 'none: the rule has no backendRefs (500)' : `none: every weight is 0 (${weights.join(', ')})`);
    if (decision.outcome === 'unresolved-backend') row('why 500', `${decision.backend?.problem}: ${decision.backend?.message}`);
    if (decision.outcome === 'unresolved-filter') row('why 500', decision.rule.unresolvedFilter ?? 'a filter does not resolve');
    if (answer.location) row('location', answer.location);
  }
  if (explanation) {
    if (explanation.listeners.length === 0) lines.push('  no ready HTTP/HTTPS listener on that port');
    for (const l of explanation.listeners) if (!l.selected) lines.push(`  listener ${l.gateway} ${l.listener}: ${l.reason}`);
    if (explanation.misses.length > 0) lines.push('  nearest misses:');
    for (const m of explanation.misses) lines.push(`    ${m.id}: ${m.reasons.join('; ')}`);
  }
  return lines.join('\n') + '\n';
}
