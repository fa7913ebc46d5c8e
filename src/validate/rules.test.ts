/**
 * Every CEL rule of the v1.6.1 CRDs that applies on create: a manifest breaking it, the
 * CRD's message, the field path of the rule's location and the YAML position (the `#@` line).
 */
import { describe, expect, it } from 'vitest';
import { loadTexts } from '../load/load.js';
import { validate } from './index.js';
import { errorsOf, markedPosition, TEST_FILE, validateYaml } from './testing.js';

const GW = 'gateway.networking.k8s.io/v1';

function doc(apiVersion: string, kind: string, spec: string): string {
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: subject\nspec:\n${spec.replace(/^\n/, '').trimEnd()}\n`;
}

interface Case {
  name: string;
  kind: string;
  apiVersion?: string;
  spec: string;
  field: string;
  message: string;
}

function check(c: Case): void {
  const text = doc(c.apiVersion ?? GW, c.kind, c.spec);
  const { objects, diagnostics } = validateYaml(text);
  expect(objects).toEqual([]);
  const errors = errorsOf(diagnostics);
  const found = errors.find((d) => d.message === c.message);
  expect(found, `no "${c.message}" among ${JSON.stringify(errors.map((d) => `${d.field}: ${d.message}`))}`).toBeDefined();
  expect(found!.field).toBe(c.field);
  expect(found!.object).toEqual({ kind: c.kind, namespace: 'default', name: 'subject' });
  expect(found!.position).toEqual({ file: TEST_FILE, ...markedPosition(text) });
}

// ---------------------------------------------------------------------------------------------
// Shared pieces of the manifests below.

const gatewaySpec = (listeners: string) => `
  gatewayClassName: gc
  listeners:${listeners}`;

const routeRule = (rule: string) => `
  rules:${rule}`;

const filterCase = (name: string, filters: string, field = 'spec.rules[0].filters[0]') => ({
  name,
  kind: 'HTTPRoute',
  spec: routeRule(`
  - filters:${filters}`),
  field,
});

const gatewayCases: Case[] = [
  {
    name: 'IPAddress values unique',
    kind: 'Gateway',
    spec: `${gatewaySpec(`
  - {name: http, port: 80, protocol: HTTP}`)}
  addresses: #@
  - value: 10.0.0.1
  - value: 10.0.0.1`,
    field: 'spec.addresses',
    message: 'IPAddress values must be unique',
  },
  {
    name: 'Hostname values unique',
    kind: 'Gateway',
    spec: `${gatewaySpec(`
  - {name: http, port: 80, protocol: HTTP}`)}
  addresses: #@
  - {type: Hostname, value: a.example.com}
  - {type: Hostname, value: a.example.com}`,
    field: 'spec.addresses',
    message: 'Hostname values must be unique',
  },
  {
    name: 'Hostname address value characters',
    kind: 'Gateway',
    spec: `${gatewaySpec(`
  - {name: http, port: 80, protocol: HTTP}`)}
  addresses:
  - type: Hostname #@
    value: Not_A_Host`,
    field: 'spec.addresses[0]',
    message: String.raw`Hostname value must be empty or contain only valid characters (matching ^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)`,
  },
  {
    name: 'infrastructure annotation key form',
    kind: 'Gateway',
    spec: `${gatewaySpec(`
  - {name: http, port: 80, protocol: HTTP}`)}
  infrastructure:
    annotations: #@
      "bad key": x`,
    field: 'spec.infrastructure.annotations',
    message: 'Annotation keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.',
  },
  {
    name: 'infrastructure annotation key prefix length',
    kind: 'Gateway',
    spec: `${gatewaySpec(`
  - {name: http, port: 80, protocol: HTTP}`)}
  infrastructure:
    annotations: #@
      ${Array.from('abcde', (c) => c.repeat(60)).join('.')}.example/key: x`,
    field: 'spec.infrastructure.annotations',
    message: "If specified, the annotation key's prefix must be a DNS subdomain not longer than 253 characters in total.",
  },
  {
    name: 'infrastructure label key form',
    kind: 'Gateway',
    spec: `${gatewaySpec(`
  - {name: http, port: 80, protocol: HTTP}`)}
  infrastructure:
    labels: #@
      "-bad": x`,
    field: 'spec.infrastructure.labels',
    message: 'Label keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.',
  },
  {
    name: 'infrastructure label key prefix length',
    kind: 'Gateway',
    spec: `${gatewaySpec(`
  - {name: http, port: 80, protocol: HTTP}`)}
  infrastructure:
    labels: #@
      ${Array.from('abcde', (c) => c.repeat(60)).join('.')}.example/key: x`,
    field: 'spec.infrastructure.labels',
    message: "If specified, the label key's prefix must be a DNS subdomain not longer than 253 characters in total.",
  },
  {
    name: 'no tls on HTTP listeners',
    kind: 'Gateway',
    spec: `
  gatewayClassName: gc
  listeners: #@
  - name: http
    port: 80
    protocol: HTTP
    tls: {certificateRefs: [{name: cert}]}`,
    field: 'spec.listeners',
    message: "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
  },
  {
    name: 'HTTPS terminates',
    kind: 'Gateway',
    spec: `
  gatewayClassName: gc
  listeners: #@
  - name: https
    port: 443
    protocol: HTTPS
    tls: {mode: Passthrough}`,
    field: 'spec.listeners',
    message: 'tls mode must be Terminate for protocol HTTPS',
  },
  {
    name: 'TLS listeners need a tls mode',
    kind: 'Gateway',
    spec: `
  gatewayClassName: gc
  listeners: #@
  - {name: tls, port: 443, protocol: TLS}`,
    field: 'spec.listeners',
    message: 'tls mode must be set for protocol TLS',
  },
  {
    name: 'no hostname on TCP listeners',
    kind: 'Gateway',
    spec: `
  gatewayClassName: gc
  listeners: #@
  - {name: tcp, port: 9000, protocol: TCP, hostname: a.example.com}`,
    field: 'spec.listeners',
    message: "hostname must not be specified for protocols ['TCP', 'UDP']",
  },
  {
    name: 'listener names unique',
    kind: 'Gateway',
    spec: `
  gatewayClassName: gc
  listeners: #@
  - {name: web, port: 80, protocol: HTTP}
  - {name: web, port: 81, protocol: HTTP}`,
    field: 'spec.listeners',
    message: 'Listener name must be unique within the Gateway',
  },
  {
    name: 'listener port/protocol/hostname unique',
    kind: 'Gateway',
    spec: `
  gatewayClassName: gc
  listeners: #@
  - {name: a, port: 80, protocol: HTTP, hostname: a.example.com}
  - {name: b, port: 80, protocol: HTTP, hostname: a.example.com}`,
    field: 'spec.listeners',
    message: 'Combination of port, protocol and hostname must be unique for each listener',
  },
  {
    name: 'Terminate needs certificates or options',
    kind: 'Gateway',
    spec: `
  gatewayClassName: gc
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {} #@`,
    field: 'spec.listeners[0].tls',
    message: 'certificateRefs or options must be specified when mode is Terminate',
  },
  {
    name: 'frontend TLS per-port entries unique',
    kind: 'Gateway',
    spec: `${gatewaySpec(`
  - {name: http, port: 80, protocol: HTTP}`)}
  tls:
    frontend:
      default: {}
      perPort: #@
      - {port: 443, tls: {}}
      - {port: 443, tls: {}}`,
    field: 'spec.tls.frontend.perPort',
    message: 'Port for TLS configuration must be unique within the Gateway',
  },
  {
    name: 'ListenerSet listeners share the listener rules',
    kind: 'ListenerSet',
    spec: `
  parentRef: {name: gw}
  listeners: #@
  - {name: a, port: 80, protocol: HTTP}
  - {name: a, port: 81, protocol: HTTP}`,
    field: 'spec.listeners',
    message: 'Listener name must be unique within the Gateway',
  },
];

const routeCases: Case[] = [
  {
    name: 'parentRefs to one parent need sectionName or port on all',
    kind: 'HTTPRoute',
    spec: `
  parentRefs: #@
  - {name: gw}
  - {name: gw, sectionName: http}`,
    field: 'spec.parentRefs',
    message: 'sectionName or port must be specified when parentRefs includes 2 or more references to the same parent',
  },
  {
    name: 'parentRefs to one parent unique',
    kind: 'GRPCRoute',
    spec: `
  parentRefs: #@
  - {name: gw, sectionName: http}
  - {name: gw, sectionName: http}`,
    field: 'spec.parentRefs',
    message: 'sectionName or port must be unique when parentRefs includes 2 or more references to the same parent',
  },
  {
    name: 'at most 128 matches in a route',
    kind: 'HTTPRoute',
    spec: `
  rules: #@
${Array.from({ length: 3 }, () => `  - matches:\n${Array.from({ length: 43 }, (_, i) => `    - path: {value: /p${i}}`).join('\n')}`).join('\n')}`,
    field: 'spec.rules',
    message:
      'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128',
  },
  {
    name: 'rule names unique',
    kind: 'TCPRoute',
    apiVersion: 'gateway.networking.k8s.io/v1alpha2',
    spec: `
  rules: #@
  - {name: a, backendRefs: [{name: s, port: 80}]}
  - {name: a, backendRefs: [{name: s, port: 80}]}`,
    field: 'spec.rules',
    message: 'Rule name must be unique within the route',
  },
  {
    name: 'Service backends need a port',
    kind: 'UDPRoute',
    spec: `
  rules:
  - backendRefs:
    - name: dns #@`,
    field: 'spec.rules[0].backendRefs[0]',
    message: 'Must have port for Service reference',
  },
  {
    name: 'absolute timeout for permanent cookies',
    kind: 'HTTPRoute',
    spec: routeRule(`
  - sessionPersistence: #@
      cookieConfig: {lifetimeType: Permanent}`),
    field: 'spec.rules[0].sessionPersistence',
    message: 'AbsoluteTimeout must be specified when cookie lifetimeType is Permanent',
  },
  {
    name: 'cookieConfig only for cookies',
    kind: 'GRPCRoute',
    spec: routeRule(`
  - sessionPersistence: #@
      type: Header
      cookieConfig: {lifetimeType: Session}`),
    field: 'spec.rules[0].sessionPersistence',
    message: 'cookieConfig can only be set with type Cookie',
  },
  {
    name: 'TLSRoute hostnames not IPs',
    kind: 'TLSRoute',
    spec: `
  hostnames: #@
  - 10.1.2.3
  rules:
  - backendRefs: [{name: s, port: 443}]`,
    field: 'spec.hostnames',
    message: 'Hostnames cannot contain an IP',
  },
  {
    name: 'TLSRoute hostnames RFC 1123',
    kind: 'TLSRoute',
    apiVersion: 'gateway.networking.k8s.io/v1alpha3',
    spec: `
  hostnames: #@
  - a..example.com
  rules:
  - backendRefs: [{name: s, port: 443}]`,
    field: 'spec.hostnames',
    message: 'Hostnames must be valid based on RFC-1123',
  },
  {
    name: 'TLSRoute wildcards only as the first label',
    kind: 'TLSRoute',
    spec: `
  hostnames: #@
  - "*.*.example.com"
  rules:
  - backendRefs: [{name: s, port: 443}]`,
    field: 'spec.hostnames',
    message: 'Wildcards on hostnames must be the first label, and the rest of hostname must be valid based on RFC-1123',
  },
];

const grpcMethodCase = (method: string, message: string): Case => ({
  name: message,
  kind: 'GRPCRoute',
  spec: routeRule(`
  - matches:
    - method: ${method} #@`),
  field: 'spec.rules[0].matches[0].method',
  message,
});

const grpcCases: Case[] = [
  grpcMethodCase('{type: Exact}', "One or both of 'service' or 'method' must be specified"),
  grpcMethodCase('{service: "foo-bar"}', String.raw`service must only contain valid characters (matching ^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$)`),
  grpcMethodCase('{method: "Get/Thing"}', 'method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)'),
  {
    name: 'GRPCRoute filter fields follow the type',
    kind: 'GRPCRoute',
    spec: routeRule(`
  - backendRefs:
    - name: s
      port: 50051
      filters:
      - type: ExtensionRef #@
        requestMirror: {backendRef: {name: m, port: 80}}`),
    field: 'spec.rules[0].backendRefs[0].filters[0]',
    message: 'filter.requestMirror must be nil if the filter.type is not RequestMirror',
  },
];

/** One case per filter field: the field without its type, and the type without its field. */
const filterFieldCases: Case[] = [
  ['requestHeaderModifier', 'RequestHeaderModifier', '{set: [{name: a, value: b}]}'],
  ['responseHeaderModifier', 'ResponseHeaderModifier', '{remove: [a]}'],
  ['requestMirror', 'RequestMirror', '{backendRef: {name: m, port: 80}}'],
  ['requestRedirect', 'RequestRedirect', '{statusCode: 301}'],
  ['urlRewrite', 'URLRewrite', '{hostname: example.com}'],
  ['extensionRef', 'ExtensionRef', '{group: example.com, kind: Thing, name: t}'],
  ['cors', 'CORS', '{allowOrigins: ["*"]}'],
  ['externalAuth', 'ExternalAuth', '{protocol: HTTP, http: {}, backendRef: {name: auth, port: 80}}'],
].flatMap(([field, type, value]) => {
  const other = type === 'CORS' ? 'URLRewrite' : 'CORS';
  return [
    {
      ...filterCase(`${field} without its type`, `
    - type: ${other} #@
      ${field}: ${value}${other === 'URLRewrite' ? '\n      urlRewrite: {}' : '\n      cors: {}'}`),
      message: `filter.${field} must be nil if the filter.type is not ${type}`,
    },
    {
      ...filterCase(`${type} without its field`, `
    - type: ${type} #@`),
      message: `filter.${field} must be specified for ${type} filter.type`,
    },
  ];
});

const notRepeatedCases: Case[] = [
  ['RequestHeaderModifier', 'requestHeaderModifier: {remove: [a]}'],
  ['ResponseHeaderModifier', 'responseHeaderModifier: {remove: [a]}'],
  ['CORS', 'cors: {}'],
  ['RequestRedirect', 'requestRedirect: {}'],
  ['URLRewrite', 'urlRewrite: {}'],
].map(([type, field]) => ({
  ...filterCase(
    `${type} not repeated`,
    `
    - {type: ${type}, ${field}}
    - {type: ${type}, ${field}}`,
    'spec.rules[0].filters',
  ),
  spec: routeRule(`
  - filters: #@
    - {type: ${type}, ${field}}
    - {type: ${type}, ${field}}`),
  message: `${type} filter cannot be repeated`,
}));

const prefixRewrite = (field: string) => `{type: ${field === 'requestRedirect' ? 'RequestRedirect' : 'URLRewrite'}, ${field}: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}}`;

const httpRuleCases: Case[] = [
  {
    name: 'redirect and rewrite exclusive',
    kind: 'HTTPRoute',
    spec: routeRule(`
  - filters: #@
    - {type: RequestRedirect, requestRedirect: {}}
    - {type: URLRewrite, urlRewrite: {}}`),
    field: 'spec.rules[0].filters',
    message: 'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
  },
  {
    name: 'redirects do not go with backendRefs',
    kind: 'HTTPRoute',
    spec: routeRule(`
  - filters: [{type: RequestRedirect, requestRedirect: {}}] #@
    backendRefs: [{name: s, port: 80}]`),
    field: 'spec.rules[0]',
    message: 'RequestRedirect filter must not be used together with backendRefs',
  },
  ...(['requestRedirect', 'urlRewrite'] as const).flatMap((field): Case[] => {
    const filterName = field === 'requestRedirect' ? 'RequestRedirect' : 'URLRewrite';
    return [
      {
        name: `${filterName} prefix replacement needs one PathPrefix match`,
        kind: 'HTTPRoute',
        spec: routeRule(`
  - matches: [{path: {type: Exact, value: /a}}] #@
    filters: [${prefixRewrite(field)}]`),
        field: 'spec.rules[0]',
        message: `When using ${filterName} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`,
      },
      {
        name: `${filterName} prefix replacement in a backendRef needs one PathPrefix match`,
        kind: 'HTTPRoute',
        spec: routeRule(`
  - matches: [{path: {value: /a}}, {path: {value: /b}}] #@
    backendRefs: [{name: s, port: 80, filters: [${prefixRewrite(field)}]}]`),
        field: 'spec.rules[0]',
        message: `Within backendRefs, ${field === 'urlRewrite' ? 'When' : 'when'} using ${filterName} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`,
      },
    ];
  }),
  {
    name: 'backendRequest timeout within request timeout',
    kind: 'HTTPRoute',
    spec: routeRule(`
  - timeouts: {request: 1s, backendRequest: 2s} #@`),
    field: 'spec.rules[0].timeouts',
    message: 'backendRequest timeout cannot be longer than request timeout',
  },
  {
    name: 'percent or fraction',
    ...filterCase('', `
    - type: RequestMirror
      requestMirror: #@
        backendRef: {name: m, port: 80}
        percent: 10
        fraction: {numerator: 1}`, 'spec.rules[0].filters[0].requestMirror'),
    message: 'Only one of percent or fraction may be specified in HTTPRequestMirrorFilter',
  },
  {
    name: 'fraction at most 1',
    ...filterCase('', `
    - type: RequestMirror
      requestMirror:
        backendRef: {name: m, port: 80}
        fraction: {numerator: 101} #@`, 'spec.rules[0].filters[0].requestMirror.fraction'),
    message: 'numerator must be less than or equal to denominator',
  },
  ...[
    ['allowOrigins', '["*", "https://a.example"]', "AllowOrigins cannot contain '*' alongside other origins"],
    ['allowMethods', '["*", GET]', "AllowMethods cannot contain '*' alongside other methods"],
    ['allowHeaders', '["*", x-a]', "AllowHeaders cannot contain '*' alongside other methods"],
  ].map(([field, value, message]) => ({
    name: message,
    ...filterCase('', `
    - type: CORS
      cors:
        ${field}: ${value} #@`, `spec.rules[0].filters[0].cors.${field}`),
    message,
  })),
  ...[
    ['{protocol: GRPC}', "grpc must be specified when protocol is set to 'GRPC'"],
    ['{protocol: HTTP, http: {}, grpc: {}}', "protocol must be 'GRPC' when grpc is set"],
    ['{protocol: HTTP}', "http must be specified when protocol is set to 'HTTP'"],
    ['{protocol: GRPC, grpc: {}, http: {}}', "protocol must be 'HTTP' when http is set"],
  ].map(([value, message]) => ({
    name: message,
    ...filterCase('', `
    - type: ExternalAuth
      externalAuth: ${value.slice(0, -1)}, backendRef: {name: auth, port: 9000}} #@`, 'spec.rules[0].filters[0].externalAuth'),
    message,
  })),
  ...[
    ['{type: ReplaceFullPath}', "replaceFullPath must be specified when type is set to 'ReplaceFullPath'"],
    ['{type: ReplacePrefixMatch, replaceFullPath: /x, replacePrefixMatch: /y}', "type must be 'ReplaceFullPath' when replaceFullPath is set"],
    ['{type: ReplacePrefixMatch}', "replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'"],
    ['{type: ReplaceFullPath, replaceFullPath: /x, replacePrefixMatch: /y}', "type must be 'ReplacePrefixMatch' when replacePrefixMatch is set"],
  ].map(([value, message]) => ({
    name: message,
    ...filterCase('', `
    - type: URLRewrite
      urlRewrite:
        path: ${value} #@`, 'spec.rules[0].filters[0].urlRewrite.path'),
    message,
  })),
  {
    name: 'path modifier rules also apply to redirects inside backendRefs',
    kind: 'HTTPRoute',
    spec: routeRule(`
  - backendRefs:
    - name: s
      port: 80
      filters:
      - type: RequestRedirect
        requestRedirect:
          path: {type: ReplaceFullPath} #@`),
    field: 'spec.rules[0].backendRefs[0].filters[0].requestRedirect.path',
    message: "replaceFullPath must be specified when type is set to 'ReplaceFullPath'",
  },
];

const pathCases: Case[] = [
  ['a/b', "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"],
  ['/a//b', "must not contain '//' when type one of ['Exact', 'PathPrefix']"],
  ['/a/./b', "must not contain '/./' when type one of ['Exact', 'PathPrefix']"],
  ['/a/../b', "must not contain '/../' when type one of ['Exact', 'PathPrefix']"],
  ['/a%2fb', "must not contain '%2f' when type one of ['Exact', 'PathPrefix']"],
  ['/a%2Fb', "must not contain '%2F' when type one of ['Exact', 'PathPrefix']"],
  ['"/a#b"', "must not contain '#' when type one of ['Exact', 'PathPrefix']"],
  ['/a/..', "must not end with '/..' when type one of ['Exact', 'PathPrefix']"],
  ['/a/.', "must not end with '/.' when type one of ['Exact', 'PathPrefix']"],
  ['"/a b"', "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']"],
].map(([value, message]) => ({
  name: message,
  kind: 'HTTPRoute',
  spec: routeRule(`
  - matches:
    - path: {type: Exact, value: ${value}} #@`),
  field: 'spec.rules[0].matches[0].path',
  message,
}));

const backendTLSPolicyCases: Case[] = [
  {
    name: 'sectionName on all refs to one target',
    kind: 'BackendTLSPolicy',
    spec: `
  targetRefs: #@
  - {group: "", kind: Service, name: s}
  - {group: "", kind: Service, name: s, sectionName: https}
  validation: {hostname: s.example.com, wellKnownCACertificates: System}`,
    field: 'spec.targetRefs',
    message: 'sectionName must be specified when targetRefs includes 2 or more references to the same target',
  },
  {
    name: 'sectionName unique per target',
    kind: 'BackendTLSPolicy',
    spec: `
  targetRefs: #@
  - {group: "", kind: Service, name: s, sectionName: https}
  - {group: "", kind: Service, name: s, sectionName: https}
  validation: {hostname: s.example.com, wellKnownCACertificates: System}`,
    field: 'spec.targetRefs',
    message: 'sectionName must be unique when targetRefs includes 2 or more references to the same target',
  },
  {
    name: 'CA refs and well-known CAs exclusive',
    kind: 'BackendTLSPolicy',
    spec: `
  targetRefs: [{group: "", kind: Service, name: s}]
  validation: #@
    hostname: s.example.com
    wellKnownCACertificates: System
    caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}]`,
    field: 'spec.validation',
    message: 'must not contain both CACertificateRefs and WellKnownCACertificates',
  },
  {
    name: 'CA refs or well-known CAs required',
    kind: 'BackendTLSPolicy',
    spec: `
  targetRefs: [{group: "", kind: Service, name: s}]
  validation: #@
    hostname: s.example.com`,
    field: 'spec.validation',
    message: 'must specify either CACertificateRefs or WellKnownCACertificates',
  },
  ...[
    ['{type: Hostname}', 'SubjectAltName element must contain Hostname, if Type is set to Hostname'],
    ['{type: URI, uri: "spiffe://a/b", hostname: a.example.com}', 'SubjectAltName element must not contain Hostname, if Type is not set to Hostname'],
    ['{type: URI}', 'SubjectAltName element must contain URI, if Type is set to URI'],
    ['{type: Hostname, hostname: a.example.com, uri: "spiffe://a/b"}', 'SubjectAltName element must not contain URI, if Type is not set to URI'],
  ].map(([san, message]) => ({
    name: message,
    kind: 'BackendTLSPolicy',
    spec: `
  targetRefs: [{group: "", kind: Service, name: s}]
  validation:
    hostname: s.example.com
    wellKnownCACertificates: System
    subjectAltNames:
    - ${san} #@`,
    field: 'spec.validation.subjectAltNames[0]',
    message,
  })),
];

const allCases: [string, Case[]][] = [
  ['Gateway and ListenerSet', gatewayCases],
  ['routes', routeCases],
  ['GRPCRoute', grpcCases],
  ['filter fields', filterFieldCases],
  ['repeated filters', notRepeatedCases],
  ['HTTPRoute rules and filters', httpRuleCases],
  ['HTTPRoute path matches', pathCases],
  ['BackendTLSPolicy', backendTLSPolicyCases],
];

describe('CEL rules', () => {
  for (const [group, cases] of allCases) {
    describe(group, () => {
      it.each(cases.map((c) => [c.message, c] as const))('%s', (_name, c) => check(c));
    });
  }

  it('covers every distinct rule message that can fail on create', () => {
    const messages = new Set(allCases.flatMap(([, cases]) => cases.map((c) => c.message)));
    // 92 distinct (rule, message) pairs in the CRDs, less the update-only immutability rule,
    // the status-only address rule, two pairs whose predicates coincide (match budget, listener
    // uniqueness) and the path-type rule the enum always pre-empts (tested below).
    expect(messages.size).toBe(87);
  });

  it('pre-empts the path type rule with the enum check, as the API server does', () => {
    const text = doc(GW, 'HTTPRoute', routeRule(`
  - matches:
    - path: {type: Glob, value: /a}`));
    const { diagnostics } = validateYaml(text);
    expect(diagnostics.map((d) => [d.severity, d.field, d.message])).toEqual([
      ['error', 'spec.rules[0].matches[0].path.type', 'Unsupported value: "Glob": supported values: "Exact", "PathPrefix", "RegularExpression"'],
      [
        'notice',
        '',
        'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      ],
    ]);
  });

  it('accepts what the rules allow', () => {
    const text = doc(GW, 'HTTPRoute', `
  parentRefs:
  - {name: gw, sectionName: a}
  - {name: gw, sectionName: b}
  rules:
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters:
    - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}}
    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}]}}
    - {type: CORS, cors: {allowOrigins: ["*"], allowMethods: ["*"]}}
    backendRefs: [{name: s, port: 80}]
    timeouts: {request: 10s, backendRequest: 0s}
  - matches: [{path: {type: RegularExpression, value: "/a//b"}}]
    timeouts: {request: 0s, backendRequest: 1h}`);
    const { objects, diagnostics } = validateYaml(text);
    expect(diagnostics).toEqual([]);
    expect(objects).toHaveLength(1);
  });
});

describe('data-plane checks', () => {
  it('rejects a regular expression the core cannot compile, at the field that holds it', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: lookaround
  namespace: apps
spec:
  rules:
  - matches:
    - path:
        type: RegularExpression
        value: "/api/(?!internal).*"
    - headers:
      - name: x-version
        type: RegularExpression
        value: "v(\\\\d+)\\\\1"
`;
    const { objects, diagnostics } = validate(loadTexts([{ file: 'regex.yaml', text }]).objects);
    expect(objects).toEqual([]);
    expect(diagnostics.map((d) => [d.field, d.position.line, d.message.split(': not a regular expression')[0]])).toEqual([
      ['spec.rules[0].matches[0].path.value', 11, 'Invalid value: "/api/(?!internal).*"'],
      ['spec.rules[0].matches[1].headers[0].value', 15, 'Invalid value: "v(\\\\d+)\\\\1"'],
    ]);
    expect(diagnostics[0].message).toMatch(/not a regular expression Switchyard can run: lookahead assertion \(\?! is not supported at offset 5$/);
    expect(diagnostics[1].message).toMatch(/backreference/i);
  });

  it('accepts RE2 patterns in GRPCRoute method matches and rejects the others', () => {
    const route = (service: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: g
  namespace: apps
spec:
  rules:
  - matches:
    - method:
        type: RegularExpression
        service: "${service}"
`;
    expect(validate(loadTexts([{ file: 'ok.yaml', text: route('foo\\\\.v[0-9]+\\\\.Echo') }]).objects).diagnostics).toEqual([]);
    const bad = validate(loadTexts([{ file: 'bad.yaml', text: route('(?<=x)y') }]).objects).diagnostics;
    expect(bad.map((d) => d.field)).toEqual(['spec.rules[0].matches[0].method.service']);
  });
});
