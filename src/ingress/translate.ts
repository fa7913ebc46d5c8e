/**
 * The provider half: served Ingresses -> the Gateway API objects that route the same way.
 * `serve` feeds the result through validate/resolve/compile in memory and `convert` writes it
 * out, so both route identically by construction.
 *
 * Per Ingress, the rules of each host become one HTTPRoute (`<ingress>` when the Ingress has
 * one host, else `<ingress>-<host>`; split into `-2`, `-3`... past 16 rules), attached to the
 * Gateway's HTTP and HTTPS listeners. A host that redirects to HTTPS (ssl-redirect on a TLS
 * host, force-ssl-redirect) is served on HTTPS only, and a `-https-redirect` route answers its
 * paths on HTTP with a 308. A canary Ingress adds no route: its backend joins the rule of the
 * main Ingress with the same host, path and pathType (weights, header rules).
 */
import type { Service } from '../model/core.js';
import type { HTTPBackendRef, HTTPHeaderMatch, HTTPRoute, HTTPRouteFilter, HTTPRouteMatch, HTTPRouteRule, ParentReference } from '../model/gateway-api.js';
import { readAnnotations, redirectTarget, NGINX_PREFIX, type NginxSettings } from './annotations.js';
import type { Ingress, IngressBackend, PathType } from './model.js';
import { translatePath } from './paths.js';
import type { ReportEntry } from './report.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** Label on every route the translation makes: the name of its Ingress. */
export const INGRESS_LABEL = 'switchyard.dev/ingress';
const MAX_RULES = 16;
const SSL_REDIRECT_CODE = 308;
const APP_ROOT_CODE = 302;

export interface GatewayTarget {
  namespace: string;
  name: string;
  /** Section names of the Gateway's HTTP and HTTPS listeners (absent: the Gateway has none). */
  httpListener?: string;
  httpsListener?: string;
  /** Port the HTTPS listener serves: where redirects to HTTPS point. */
  httpsPort: number;
}

export interface TranslateInput {
  /** The Ingresses to translate, in creation order (older first: they win ties). */
  ingresses: readonly Ingress[];
  /** Service lookup, for backends that name their port. */
  service: (namespace: string, name: string) => Service | undefined;
  gateway: GatewayTarget;
}

export interface TranslatedIngress {
  ingress: Ingress;
  /** `namespace/name`. */
  key: string;
  /** The routes made from it (a canary Ingress: the routes it joined). */
  routes: string[];
  /** Why nothing of it is served, when nothing is. */
  ignored?: string;
}

export interface Translation {
  routes: HTTPRoute[];
  /** TLS Secrets of the served Ingresses (`spec.tls[].secretName`), in first-use order. */
  certificates: { namespace: string; name: string }[];
  ingresses: TranslatedIngress[];
  report: ReportEntry[];
}

interface RuleDraft {
  match: HTTPRouteMatch;
  filters: HTTPRouteFilter[];
  backendRefs: HTTPBackendRef[];
  timeouts?: { backendRequest: string };
  /** `host|pathType|path` of the Ingress path it came from (canaries pair on it). */
  pairKey?: string;
  canaryJoined?: boolean;
}

interface HostGroup {
  host: string;
  rules: RuleDraft[];
  redirectHttps: boolean;
  routeNames: string[];
}

interface MainIngress {
  ingress: Ingress;
  key: string;
  settings: NginxSettings;
  groups: HostGroup[];
  translated: TranslatedIngress;
}

const keyOf = (i: Ingress) => `${i.metadata.namespace ?? 'default'}/${i.metadata.name}`;

export function translateIngresses(input: TranslateInput): Translation {
  const report: ReportEntry[] = [];
  const certificates = new Map<string, { namespace: string; name: string }>();
  const mains: MainIngress[] = [];
  const canaries: { ingress: Ingress; key: string; settings: NginxSettings; translated: TranslatedIngress }[] = [];
  const translated: TranslatedIngress[] = [];

  for (const ingress of input.ingresses) {
    const key = keyOf(ingress);
    const read = readAnnotations(ingress.metadata.annotations, key);
    const t: TranslatedIngress = { ingress, key, routes: [] };
    translated.push(t);
    if (read.settings.canary) {
      // ingress-nginx applies the main Ingress's settings to canary traffic.
      report.push(
        ...read.report.map((e) =>
          e.annotation!.startsWith(`${NGINX_PREFIX}canary`) || e.outcome === 'dropped'
            ? e
            : { ...e, outcome: 'dropped' as const, message: 'ignored on a canary Ingress: the main Ingress\'s settings apply to canary traffic' },
        ),
      );
      canaries.push({ ingress, key, settings: read.settings, translated: t });
      continue;
    }
    report.push(...read.report);
    const namespace = ingress.metadata.namespace ?? 'default';
    for (const tls of ingress.spec.tls ?? []) {
      if (tls.secretName) certificates.set(`${namespace}/${tls.secretName}`, { namespace, name: tls.secretName });
    }
    const groups = hostGroups(ingress, read.settings, input, report);
    mains.push({ ingress, key, settings: read.settings, groups, translated: t });
  }

  for (const c of canaries) joinCanary(c, mains, input, report);

  const routes: HTTPRoute[] = [];
  for (const m of mains) {
    const multi = m.groups.length > 1;
    for (const g of m.groups) {
      const made = emitGroup(m.ingress, g, multi, input.gateway);
      g.routeNames = made.map((r) => r.metadata.name);
      routes.push(...made);
      m.translated.routes.push(...g.routeNames);
    }
    if (m.groups.length === 0) m.translated.ignored = 'no path of it can be served (see the report)';
  }
  for (const c of canaries) if (c.translated.routes.length === 0) c.translated.ignored ??= 'no main Ingress serves its paths';
  if (input.gateway.httpsListener === undefined && mains.some((m) => m.groups.some((g) => g.redirectHttps))) {
    report.push({ ingress: mains.find((m) => m.groups.some((g) => g.redirectHttps))!.key, field: 'spec', outcome: 'approximated', message: 'redirected to HTTPS, but the Gateway has no HTTPS listener: no TLS Secret is named by any Ingress' });
  }
  return { routes, certificates: [...certificates.values()], ingresses: translated, report };
}

/** The rules of one Ingress, per host, in the order the Ingress names them. */
function hostGroups(ingress: Ingress, settings: NginxSettings, input: TranslateInput, report: ReportEntry[]): HostGroup[] {
  const key = keyOf(ingress);
  const namespace = ingress.metadata.namespace ?? 'default';
  const groups = new Map<string, HostGroup>();
  const group = (host: string): HostGroup => {
    let g = groups.get(host);
    if (!g) groups.set(host, (g = { host, rules: [], redirectHttps: false, routeNames: [] }));
    return g;
  };
  const regex = settings.useRegex;
  const common = commonFilters(settings);
  const timeouts = backendTimeout(settings);
  const redirect = explicitRedirect(settings);

  /** `literal`: the default backend's "/" is a plain prefix whatever the annotations say. */
  const draft = (host: string, path: string | undefined, pathType: PathType, backend: IngressBackend, field: string, literal = false): RuleDraft | undefined => {
    const p = literal ? translatePath(path, pathType, false, undefined) : translatePath(path, pathType, regex, settings.rewriteTarget);
    if ('problem' in p) {
      report.push({ ingress: key, field, outcome: 'dropped', message: `not served: ${p.problem}` });
      return undefined;
    }
    if (p.finding) report.push({ ingress: key, field, annotation: `${NGINX_PREFIX}rewrite-target`, ...p.finding });
    const pairKey = `${host}|${pathType}|${path ?? ''}`;
    if (redirect) return { match: { path: p.match }, filters: [...common.answering, redirect], backendRefs: [], pairKey };
    const ref = backendRef(backend, namespace, input);
    if (typeof ref === 'string') {
      report.push({ ingress: key, field, outcome: 'dropped', message: `not served: ${ref}` });
      return undefined;
    }
    const rewrite = p.rewrite !== undefined || settings.upstreamVhost !== undefined
      ? [{ type: 'URLRewrite' as const, urlRewrite: { ...(settings.upstreamVhost ? { hostname: settings.upstreamVhost } : {}), ...(p.rewrite ? { path: p.rewrite } : {}) } }]
      : [];
    return { match: { path: p.match }, filters: [...common.request, ...rewrite, ...common.answering], backendRefs: [ref], ...(timeouts ? { timeouts } : {}), pairKey };
  };

  (ingress.spec.rules ?? []).forEach((rule, i) => {
    const host = rule.host ?? '';
    const g = group(host);
    (rule.http?.paths ?? []).forEach((p, j) => {
      const d = draft(host, p.path, p.pathType, p.backend, `spec.rules[${i}].http.paths[${j}]`);
      if (d) g.rules.push(d);
    });
  });
  const fallback = ingress.spec.defaultBackend;
  if (fallback) {
    // ingress-nginx serves the Ingress's default backend at "/" of each of its hosts that has
    // no "/" path, and for requests no rule of any host matches.
    group('');
    for (const g of groups.values()) {
      if (g.rules.some((r) => r.match.path.type === 'PathPrefix' && r.match.path.value === '/')) continue;
      const d = draft(g.host, '/', 'Prefix', fallback, 'spec.defaultBackend', true);
      if (d) g.rules.push({ ...d, pairKey: undefined });
    }
  }
  const tlsHosts = (ingress.spec.tls ?? []).filter((t) => t.secretName).flatMap((t) => t.hosts ?? []);
  for (const g of groups.values()) {
    const tls = g.host !== '' && tlsHosts.some((h) => h === g.host || (h.startsWith('*.') && g.host.endsWith(h.slice(1)) && !g.host.slice(0, -h.length + 1).includes('.')));
    g.redirectHttps = settings.forceSslRedirect || (tls && settings.sslRedirect !== false);
    if (settings.appRoot !== undefined && g.rules.length > 0) {
      g.rules.unshift({
        match: { path: { type: 'Exact', value: '/' } },
        filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: settings.appRoot }, statusCode: APP_ROOT_CODE } }],
        backendRefs: [],
      });
    }
  }
  return [...groups.values()].filter((g) => g.rules.length > 0);
}

/** Filters every rule of the Ingress carries: request-phase ones, and CORS (answers preflights). */
function commonFilters(s: NginxSettings): { request: HTTPRouteFilter[]; answering: HTTPRouteFilter[] } {
  const request: HTTPRouteFilter[] = s.xForwardedPrefix !== undefined
    ? [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Forwarded-Prefix', value: s.xForwardedPrefix }] } }]
    : [];
  const answering: HTTPRouteFilter[] = s.enableCors
    ? [{
        type: 'CORS',
        cors: {
          allowOrigins: s.cors.allowOrigins,
          allowMethods: s.cors.allowMethods,
          allowHeaders: s.cors.allowHeaders,
          ...(s.cors.exposeHeaders.length > 0 ? { exposeHeaders: s.cors.exposeHeaders } : {}),
          allowCredentials: s.cors.allowCredentials,
          maxAge: s.cors.maxAge,
        },
      }]
    : [];
  return { request, answering };
}

function backendTimeout(s: NginxSettings): { backendRequest: string } | undefined {
  if (s.proxyConnectTimeout === undefined && s.proxyReadTimeout === undefined && s.proxySendTimeout === undefined) return undefined;
  // ingress-nginx's defaults: 5 s to connect, 60 s to read and to send.
  const total = (s.proxyConnectTimeout ?? 5) + Math.max(s.proxyReadTimeout ?? 60, s.proxySendTimeout ?? 60);
  return { backendRequest: `${total}s` };
}

/** permanent-redirect, else temporal-redirect, as a RequestRedirect. */
function explicitRedirect(s: NginxSettings): HTTPRouteFilter | undefined {
  const url = s.permanentRedirect ?? s.temporalRedirect;
  if (url === undefined) return undefined;
  const t = redirectTarget(url);
  return {
    type: 'RequestRedirect',
    requestRedirect: {
      scheme: t.scheme,
      hostname: t.hostname,
      port: t.port ?? (t.scheme === 'https' ? 443 : 80),
      path: { type: 'ReplaceFullPath', replaceFullPath: t.path },
      statusCode: (s.permanentRedirect !== undefined ? s.permanentRedirectCode : 302) as 301 | 302 | 303 | 307 | 308,
    },
  };
}

/** The backendRef of an Ingress backend, or why it has none. */
function backendRef(b: IngressBackend, namespace: string, input: TranslateInput): HTTPBackendRef | string {
  if (b.resource) return `resource backend ${b.resource.kind} ${b.resource.name}: only Service backends can be routed to`;
  const svc = b.service!;
  let port = svc.port.number;
  if (port === undefined || port === 0) {
    const service = input.service(namespace, svc.name);
    if (!service) return `Service ${namespace}/${svc.name} is not known, so its port ${JSON.stringify(svc.port.name)} cannot be resolved to a number`;
    port = service.spec.ports?.find((p) => p.name === svc.port.name)?.port;
    if (port === undefined) return `Service ${namespace}/${svc.name} has no port named ${JSON.stringify(svc.port.name)}`;
  }
  return { group: '', kind: 'Service', name: svc.name, port, weight: 1 };
}

/** Merges a canary Ingress into the rules of the main Ingresses it shadows. */
function joinCanary(
  c: { ingress: Ingress; key: string; settings: NginxSettings; translated: TranslatedIngress },
  mains: readonly MainIngress[],
  input: TranslateInput,
  report: ReportEntry[],
): void {
  const namespace = c.ingress.metadata.namespace ?? 'default';
  const s = c.settings;
  const total = s.canaryWeightTotal;
  const weight = Math.min(s.canaryWeight ?? 0, total);
  const paths: { host: string; path?: string; pathType: PathType; backend: IngressBackend; field: string }[] = [];
  (c.ingress.spec.rules ?? []).forEach((rule, i) =>
    (rule.http?.paths ?? []).forEach((p, j) => paths.push({ host: rule.host ?? '', path: p.path, pathType: p.pathType, backend: p.backend, field: `spec.rules[${i}].http.paths[${j}]` })),
  );
  for (const p of paths) {
    const pairKey = `${p.host}|${p.pathType}|${p.path ?? ''}`;
    let found: { main: MainIngress; group: HostGroup; rule: RuleDraft } | undefined;
    for (const main of mains) {
      if ((main.ingress.metadata.namespace ?? 'default') !== namespace) continue;
      for (const group of main.groups) {
        const rule = group.rules.find((r) => r.pairKey === pairKey);
        if (rule) found ??= { main, group, rule };
      }
    }
    if (!found) {
      report.push({ ingress: c.key, field: p.field, outcome: 'dropped', message: `no main Ingress in ${namespace} serves host ${JSON.stringify(p.host)} path ${JSON.stringify(p.path ?? '')} (${p.pathType})` });
      continue;
    }
    const { main, group, rule } = found;
    if (rule.canaryJoined || rule.backendRefs.length === 0) {
      report.push({ ingress: c.key, field: p.field, outcome: 'dropped', message: rule.canaryJoined ? `another canary already joined Ingress ${main.key} at this path` : `Ingress ${main.key} redirects this path` });
      continue;
    }
    const ref = backendRef(p.backend, namespace, input);
    if (typeof ref === 'string') {
      report.push({ ingress: c.key, field: p.field, outcome: 'dropped', message: `not served: ${ref}` });
      continue;
    }
    rule.canaryJoined = true;
    const mainRefs = rule.backendRefs;
    rule.backendRefs = [...mainRefs.map((r) => ({ ...r, weight: total - weight })), { ...ref, weight }];
    const byHeader = (headers: HTTPHeaderMatch[], backendRefs: HTTPBackendRef[]): RuleDraft => ({
      match: { ...rule.match, headers },
      filters: rule.filters,
      backendRefs,
      ...(rule.timeouts ? { timeouts: rule.timeouts } : {}),
    });
    if (s.canaryByHeader !== undefined) {
      const header = (value: string): HTTPHeaderMatch[] => [{ type: 'Exact', name: s.canaryByHeader!, value }];
      const extra = s.canaryByHeaderValue !== undefined
        ? [byHeader(header(s.canaryByHeaderValue), [{ ...ref, weight: 1 }])]
        : [byHeader(header('always'), [{ ...ref, weight: 1 }]), byHeader(header('never'), mainRefs)];
      group.rules.splice(group.rules.indexOf(rule) + 1, 0, ...extra);
    }
    if (!c.translated.routes.includes(main.key)) c.translated.routes.push(main.key);
  }
}

function slug(host: string): string {
  if (host === '') return 'any-host';
  return host.replace(/^\*\./, 'wildcard.');
}

function routeName(base: string, part: number): string {
  const name = part === 0 ? base : `${base}-${part + 1}`;
  return name.length <= 253 ? name : name.slice(0, 253).replace(/[^a-z0-9]+$/, '');
}

function parentRef(gateway: GatewayTarget, sectionName: string): ParentReference {
  return { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.namespace, name: gateway.name, sectionName } as ParentReference;
}

function toRule(d: RuleDraft): HTTPRouteRule {
  return {
    matches: [d.match],
    ...(d.filters.length > 0 ? { filters: d.filters } : {}),
    ...(d.backendRefs.length > 0 ? { backendRefs: d.backendRefs } : {}),
    ...(d.timeouts ? { timeouts: d.timeouts } : {}),
  };
}

function routeObject(ingress: Ingress, name: string, hostnames: string[], parentRefs: ParentReference[], rules: HTTPRouteRule[]): HTTPRoute {
  return {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name, namespace: ingress.metadata.namespace ?? 'default', labels: { [INGRESS_LABEL]: ingress.metadata.name }, generation: 1 },
    spec: { parentRefs, ...(hostnames.length > 0 ? { hostnames } : {}), rules },
  } as HTTPRoute;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_RULES) out.push(items.slice(i, i + MAX_RULES));
  return out;
}

/** The HTTPRoutes of one host of an Ingress. */
function emitGroup(ingress: Ingress, g: HostGroup, multi: boolean, gateway: GatewayTarget): HTTPRoute[] {
  const base = multi ? `${ingress.metadata.name}-${slug(g.host)}` : ingress.metadata.name;
  const hostnames = g.host === '' ? [] : [g.host];
  const parents: ParentReference[] = [];
  if (gateway.httpListener !== undefined && !g.redirectHttps) parents.push(parentRef(gateway, gateway.httpListener));
  if (gateway.httpsListener !== undefined) parents.push(parentRef(gateway, gateway.httpsListener));
  const routes = chunks(g.rules).map((rules, i) => routeObject(ingress, routeName(base, i), hostnames, parents, rules.map(toRule)));
  if (g.redirectHttps && gateway.httpListener !== undefined) {
    // The same paths (without header matches) answer HTTP with a redirect to HTTPS.
    const seen = new Set<string>();
    const matches: HTTPRouteMatch[] = [];
    for (const r of g.rules) {
      const m: HTTPRouteMatch = { path: r.match.path };
      const k = JSON.stringify(m);
      if (!seen.has(k)) matches.push(m);
      seen.add(k);
    }
    const redirect: HTTPRouteFilter = {
      type: 'RequestRedirect',
      requestRedirect: { scheme: 'https', ...(gateway.httpsPort !== 443 ? { port: gateway.httpsPort } : {}), statusCode: SSL_REDIRECT_CODE },
    };
    chunks(matches).forEach((ms, i) =>
      routes.push(routeObject(ingress, routeName(`${base}-https-redirect`, i), hostnames, [parentRef(gateway, gateway.httpListener!)], ms.map((m) => ({ matches: [m], filters: [redirect] })))),
    );
  }
  return routes;
}
