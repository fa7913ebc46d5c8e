/**
 * ingress-nginx annotations (`nginx.ingress.kubernetes.io/*`): one registry entry per
 * annotation Switchyard reads. Each entry parses the value into `NginxSettings` and says how
 * faithfully the translation carries it over; every other annotation under the prefix,
 * configuration snippets and external authentication included, is never executed and is
 * reported as dropped.
 */
import type { Outcome, ReportEntry } from './report.js';

export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';

export interface CorsSettings {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAge: number;
}

/** What the annotations of one Ingress ask for, parsed. */
export interface NginxSettings {
  rewriteTarget?: string;
  useRegex: boolean;
  /** Explicit `ssl-redirect`; absent means the default (redirect hosts that have TLS). */
  sslRedirect?: boolean;
  forceSslRedirect: boolean;
  permanentRedirect?: string;
  permanentRedirectCode: number;
  temporalRedirect?: string;
  canary: boolean;
  canaryWeight?: number;
  canaryWeightTotal: number;
  canaryByHeader?: string;
  canaryByHeaderValue?: string;
  /** Seconds. */
  proxyConnectTimeout?: number;
  proxyReadTimeout?: number;
  proxySendTimeout?: number;
  enableCors: boolean;
  cors: CorsSettings;
  upstreamVhost?: string;
  appRoot?: string;
  xForwardedPrefix?: string;
}

export function defaultSettings(): NginxSettings {
  return {
    useRegex: false,
    forceSslRedirect: false,
    permanentRedirectCode: 301,
    canary: false,
    canaryWeightTotal: 100,
    enableCors: false,
    // ingress-nginx's defaults for the cors-* annotations.
    cors: {
      allowOrigins: ['*'],
      allowMethods: ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'],
      allowHeaders: ['DNT', 'Keep-Alive', 'User-Agent', 'X-Requested-With', 'If-Modified-Since', 'Cache-Control', 'Content-Type', 'Range', 'Authorization'],
      exposeHeaders: [],
      allowCredentials: true,
      maxAge: 1728000,
    },
  };
}

/** How a parsed annotation is carried over: the report entry it gets when its value is valid. */
interface AnnotationSpec {
  outcome: Outcome | ((s: NginxSettings) => Outcome);
  message: string | ((s: NginxSettings) => string);
  /** Parses the value into the settings; returns why the value is unusable, if it is. */
  parse(value: string, into: NginxSettings): string | undefined;
}

function parseBool(value: string): boolean | undefined {
  // Go's strconv.ParseBool, which ingress-nginx uses.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function parseInt10(value: string): number | undefined {
  return /^-?[0-9]+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

const list = (value: string) => value.split(',').map((v) => v.trim()).filter((v) => v !== '');

function bool(set: (s: NginxSettings, v: boolean) => void) {
  return (value: string, into: NginxSettings): string | undefined => {
    const b = parseBool(value);
    if (b === undefined) return `${JSON.stringify(value)} is not a boolean`;
    set(into, b);
    return undefined;
  };
}

function seconds(set: (s: NginxSettings, v: number) => void) {
  return (value: string, into: NginxSettings): string | undefined => {
    const n = parseInt10(value);
    if (n === undefined || n < 1 || n > 99999) return `${JSON.stringify(value)} is not a number of seconds between 1 and 99999`;
    set(into, n);
    return undefined;
  };
}

const TIMEOUT_NOTE =
  'becomes timeouts.backendRequest = proxy-connect-timeout + max(proxy-read-timeout, proxy-send-timeout): a bound on the whole backend exchange, where nginx bounds each connect, read and write separately';
const CORS_NEEDS_ENABLE = 'has no effect without enable-cors: "true"';
const cors = (s: NginxSettings): Outcome => (s.enableCors ? 'converted' : 'dropped');
const corsMessage = (what: string) => (s: NginxSettings) => (s.enableCors ? `${what} of the CORS filter` : CORS_NEEDS_ENABLE);

/** The annotations Switchyard reads, by name after the prefix. */
export const ANNOTATIONS: Readonly<Record<string, AnnotationSpec>> = {
  'rewrite-target': {
    // The path-by-path outcome is reported by the translation (it depends on each path).
    outcome: 'converted',
    message: 'URLRewrite of every path (see the path findings)',
    parse: (value, into) => {
      if (!value.startsWith('/')) return `${JSON.stringify(value)} does not start with "/"`;
      into.rewriteTarget = value;
      return undefined;
    },
  },
  'use-regex': {
    outcome: 'approximated',
    message: (s) =>
      s.useRegex
        ? 'paths become RegularExpression matches, case-insensitive and anchored at the start as nginx reads them; Gateway API orders regular expressions longest first, nginx in file order'
        : 'false: paths stay literal',
    parse: bool((s, v) => (s.useRegex = v)),
  },
  'ssl-redirect': {
    outcome: 'converted',
    message: (s) => (s.sslRedirect ? 'HTTP requests for hosts with TLS get a 308 redirect to HTTPS' : 'false: no redirect to HTTPS'),
    parse: bool((s, v) => (s.sslRedirect = v)),
  },
  'force-ssl-redirect': {
    outcome: 'converted',
    message: (s) => (s.forceSslRedirect ? 'every HTTP request of the Ingress gets a 308 redirect to HTTPS, TLS or not' : 'false: no forced redirect'),
    parse: bool((s, v) => (s.forceSslRedirect = v)),
  },
  'permanent-redirect': {
    outcome: 'approximated',
    message: 'RequestRedirect with the URL\'s scheme, host, port and path; the request\'s query string is kept, where nginx drops it',
    parse: (value, into) => {
      const problem = redirectUrlProblem(value);
      if (problem) return problem;
      into.permanentRedirect = value;
      return undefined;
    },
  },
  'permanent-redirect-code': {
    outcome: 'converted',
    message: 'status code of the permanent-redirect',
    parse: (value, into) => {
      const n = parseInt10(value);
      if (n === undefined || ![301, 302, 303, 307, 308].includes(n)) return `${JSON.stringify(value)}: Gateway API redirects use 301, 302, 303, 307 or 308`;
      into.permanentRedirectCode = n;
      return undefined;
    },
  },
  'temporal-redirect': {
    outcome: 'approximated',
    message: 'RequestRedirect (302) with the URL\'s scheme, host, port and path; the request\'s query string is kept, where nginx drops it',
    parse: (value, into) => {
      const problem = redirectUrlProblem(value);
      if (problem) return problem;
      into.temporalRedirect = value;
      return undefined;
    },
  },
  canary: {
    outcome: 'converted',
    message: (s) => (s.canary ? 'merged into the rules of the main Ingress with the same host and path' : 'false: served as a main Ingress'),
    parse: bool((s, v) => (s.canary = v)),
  },
  'canary-weight': {
    outcome: (s) => (s.canary ? 'converted' : 'dropped'),
    message: (s) => (s.canary ? 'backendRefs weights of the main rule' : 'has no effect without canary: "true"'),
    parse: (value, into) => {
      const n = parseInt10(value);
      if (n === undefined || n < 0) return `${JSON.stringify(value)} is not a non-negative integer`;
      into.canaryWeight = n;
      return undefined;
    },
  },
  'canary-weight-total': {
    outcome: (s) => (s.canary ? 'converted' : 'dropped'),
    message: (s) => (s.canary ? 'the total the canary-weight is taken from' : 'has no effect without canary: "true"'),
    parse: (value, into) => {
      const n = parseInt10(value);
      if (n === undefined || n < 1) return `${JSON.stringify(value)} is not a positive integer`;
      into.canaryWeightTotal = n;
      return undefined;
    },
  },
  'canary-by-header': {
    outcome: (s) => (s.canary ? 'converted' : 'dropped'),
    message: (s) =>
      !s.canary
        ? 'has no effect without canary: "true"'
        : s.canaryByHeaderValue !== undefined
          ? 'a rule matching the header value, ahead of the weighted rule'
          : 'rules matching the header values "always" (canary) and "never" (main), ahead of the weighted rule',
    parse: (value, into) => {
      if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(value)) return `${JSON.stringify(value)} is not a header name`;
      into.canaryByHeader = value;
      return undefined;
    },
  },
  'canary-by-header-value': {
    outcome: (s) => (s.canary && s.canaryByHeader !== undefined ? 'converted' : 'dropped'),
    message: (s) => (s.canary && s.canaryByHeader !== undefined ? 'the header value that selects the canary' : 'has no effect without canary and canary-by-header'),
    parse: (value, into) => {
      if (!/^[!-~]+([\t ]?[!-~]+)*$/.test(value)) return `${JSON.stringify(value)} is not a header value`;
      into.canaryByHeaderValue = value;
      return undefined;
    },
  },
  'proxy-connect-timeout': { outcome: 'approximated', message: TIMEOUT_NOTE, parse: seconds((s, v) => (s.proxyConnectTimeout = v)) },
  'proxy-read-timeout': { outcome: 'approximated', message: TIMEOUT_NOTE, parse: seconds((s, v) => (s.proxyReadTimeout = v)) },
  'proxy-send-timeout': { outcome: 'approximated', message: TIMEOUT_NOTE, parse: seconds((s, v) => (s.proxySendTimeout = v)) },
  'enable-cors': {
    outcome: 'converted',
    message: (s) => (s.enableCors ? 'a CORS filter on every rule' : 'false: no CORS filter'),
    parse: bool((s, v) => (s.enableCors = v)),
  },
  'cors-allow-origin': {
    outcome: cors,
    message: corsMessage('allowOrigins'),
    parse: (value, into) => {
      const origins = list(value);
      const bad = origins.filter((o) => !CORS_ORIGIN.test(o));
      if (bad.length > 0) return `${bad.map((o) => JSON.stringify(o)).join(', ')}: an origin is "*" or scheme://host[:port]`;
      into.cors.allowOrigins = origins.includes('*') ? ['*'] : origins;
      return undefined;
    },
  },
  'cors-allow-methods': {
    outcome: cors,
    message: corsMessage('allowMethods'),
    parse: (value, into) => {
      const methods = list(value).map((m) => m.toUpperCase());
      const bad = methods.filter((m) => !CORS_METHODS.has(m));
      if (bad.length > 0) return `${bad.join(', ')}: not a method a CORS filter can allow`;
      into.cors.allowMethods = [...new Set(methods)];
      return undefined;
    },
  },
  'cors-allow-headers': {
    outcome: cors,
    message: corsMessage('allowHeaders'),
    parse: (value, into) => {
      const headers = list(value);
      if (headers.some((h) => !HEADER_TOKEN.test(h))) return `${JSON.stringify(value)} is not a list of header names`;
      into.cors.allowHeaders = [...new Set(headers)];
      return undefined;
    },
  },
  'cors-expose-headers': {
    outcome: cors,
    message: corsMessage('exposeHeaders'),
    parse: (value, into) => {
      const headers = list(value);
      if (headers.some((h) => !HEADER_TOKEN.test(h))) return `${JSON.stringify(value)} is not a list of header names`;
      into.cors.exposeHeaders = [...new Set(headers)];
      return undefined;
    },
  },
  'cors-allow-credentials': { outcome: cors, message: corsMessage('allowCredentials'), parse: bool((s, v) => (s.cors.allowCredentials = v)) },
  'cors-max-age': {
    outcome: cors,
    message: corsMessage('maxAge'),
    parse: (value, into) => {
      const n = parseInt10(value);
      if (n === undefined || n < 1) return `${JSON.stringify(value)} is not a positive number of seconds`;
      into.cors.maxAge = n;
      return undefined;
    },
  },
  'upstream-vhost': {
    outcome: 'converted',
    message: 'URLRewrite hostname: the Host header sent to the backend',
    parse: (value, into) => {
      if (!PRECISE_HOSTNAME.test(value) || value.length > 253) return `${JSON.stringify(value)} is not a host name (nginx variables are not supported)`;
      into.upstreamVhost = value;
      return undefined;
    },
  },
  'app-root': {
    outcome: 'converted',
    message: 'a rule redirecting exactly "/" (302) to the application root',
    parse: (value, into) => {
      if (!value.startsWith('/') || !URI_PATH.test(value)) return `${JSON.stringify(value)} is not an absolute path`;
      into.appRoot = value;
      return undefined;
    },
  },
  'x-forwarded-prefix': {
    outcome: 'converted',
    message: 'RequestHeaderModifier setting X-Forwarded-Prefix',
    parse: (value, into) => {
      if (!/^[!-~]+([\t ]?[!-~]+)*$/.test(value)) return `${JSON.stringify(value)} is not a header value`;
      into.xForwardedPrefix = value;
      return undefined;
    },
  },
};

/** Annotations that inject nginx configuration or delegate to external services: never executed. */
const NEVER_EXECUTED = new Set([
  'configuration-snippet',
  'server-snippet',
  'stream-snippet',
  'auth-snippet',
  'modsecurity-snippet',
  'auth-url',
  'auth-signin',
  'auth-signin-redirect-param',
  'auth-response-headers',
  'auth-request-redirect',
  'auth-method',
  'auth-cache-key',
  'auth-proxy-set-headers',
]);

const CORS_ORIGIN = /(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)/;
const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const HEADER_TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const PRECISE_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const URI_PATH = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/** The parts of a redirect URL a RequestRedirect can express. */
export interface RedirectTarget {
  scheme: 'http' | 'https';
  hostname: string;
  port?: number;
  path: string;
}

export function redirectTarget(value: string): RedirectTarget {
  const url = new URL(value);
  return {
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    hostname: url.hostname,
    ...(url.port !== '' ? { port: Number(url.port) } : {}),
    path: url.pathname === '' ? '/' : url.pathname,
  };
}

function redirectUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not an absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${JSON.stringify(value)}: only http and https redirects can be expressed`;
  if (!PRECISE_HOSTNAME.test(url.hostname)) return `${JSON.stringify(value)}: the host must be a DNS name`;
  if (url.search !== '' || url.hash !== '') return `${JSON.stringify(value)}: a query or fragment in the redirect URL cannot be expressed`;
  if (!URI_PATH.test(url.pathname)) return `${JSON.stringify(value)}: the path cannot be expressed`;
  return undefined;
}

/**
 * Reads the ingress-nginx annotations of one Ingress: the settings, and one report entry per
 * annotation under the prefix, in key order.
 */
export function readAnnotations(annotations: Readonly<Record<string, string>> | undefined, ingress: string): { settings: NginxSettings; report: ReportEntry[] } {
  const settings = defaultSettings();
  const keys = Object.keys(annotations ?? {})
    .filter((k) => k.startsWith(NGINX_PREFIX))
    .sort();
  const parsed: string[] = [];
  const report: ReportEntry[] = [];
  for (const key of keys) {
    const name = key.slice(NGINX_PREFIX.length);
    const spec = ANNOTATIONS[name];
    if (!spec) {
      const message = NEVER_EXECUTED.has(name)
        ? 'never executed: it injects nginx configuration or delegates to an external service Switchyard does not call'
        : 'not supported by Switchyard: no effect';
      report.push({ ingress, annotation: key, outcome: 'dropped', message });
      continue;
    }
    const problem = spec.parse(annotations![key], settings);
    if (problem !== undefined) report.push({ ingress, annotation: key, outcome: 'dropped', message: `invalid value: ${problem}` });
    else parsed.push(key);
  }
  // Outcomes are decided once every annotation is read (several depend on others).
  for (const key of parsed) {
    const spec = ANNOTATIONS[key.slice(NGINX_PREFIX.length)]!;
    const outcome = typeof spec.outcome === 'function' ? spec.outcome(settings) : spec.outcome;
    const message = typeof spec.message === 'function' ? spec.message(settings) : spec.message;
    report.push({ ingress, annotation: key, outcome, message });
  }
  report.sort((a, b) => (a.annotation! < b.annotation! ? -1 : a.annotation! > b.annotation! ? 1 : 0));
  return { settings, report };
}
