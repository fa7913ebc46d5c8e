/**
 * Schema validation (one failing manifest per error category, in the API server's words),
 * defaulting, version handling, metadata, the core kinds, and object independence.
 */
import { isIP as nodeIsIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HTTPRoute, Gateway, TLSRoute } from '../model/gateway-api.js';
import type { Secret, Service } from '../model/core.js';
import { isIP } from './ip.js';
import { errorsOf, markedPosition, TEST_FILE, validateYaml } from './testing.js';

const ROUTE_HEADER = 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n';
const GATEWAY_HEADER = 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: g\n  namespace: infra\nspec:\n';

/** Validates one object that must be rejected with exactly the given (field, message) errors. */
function rejected(text: string) {
  const result = validateYaml(text);
  expect(result.objects).toEqual([]);
  return errorsOf(result.diagnostics);
}

describe('schema errors', () => {
  const cases: [string, string, string, string][] = [
    [
      'enum',
      `${ROUTE_HEADER}  rules:\n  - matches:\n    - method: FETCH #@\n`,
      'spec.rules[0].matches[0].method',
      'Unsupported value: "FETCH": supported values: "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"',
    ],
    [
      'integer enum',
      `${ROUTE_HEADER}  rules:\n  - filters:\n    - type: RequestRedirect\n      requestRedirect:\n        statusCode: 304 #@\n`,
      'spec.rules[0].filters[0].requestRedirect.statusCode',
      'Unsupported value: 304: supported values: "301", "302", "303", "307", "308"',
    ],
    [
      'pattern',
      `${ROUTE_HEADER}  hostnames:\n  - "a b" #@\n`,
      'spec.hostnames[0]',
      String.raw`Invalid value: "a b": spec.hostnames[0] in body should match '^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'`,
    ],
    ['maxLength', `${ROUTE_HEADER}  hostnames:\n  - ${'a'.repeat(254)} #@\n`, 'spec.hostnames[0]', 'Too long: may not be more than 253 bytes'],
    [
      'minLength',
      `${GATEWAY_HEADER}  gatewayClassName: "" #@\n  listeners: [{name: a, port: 80, protocol: HTTP}]\n`,
      'spec.gatewayClassName',
      'Invalid value: "": spec.gatewayClassName in body should be at least 1 chars long',
    ],
    [
      'maximum',
      `${GATEWAY_HEADER}  gatewayClassName: gc\n  listeners:\n  - name: a\n    port: 70000 #@\n    protocol: HTTP\n`,
      'spec.listeners[0].port',
      'Invalid value: 70000: spec.listeners[0].port in body should be less than or equal to 65535',
    ],
    [
      'minimum',
      `${ROUTE_HEADER}  rules:\n  - backendRefs:\n    - name: s\n      port: 80\n      weight: -1 #@\n`,
      'spec.rules[0].backendRefs[0].weight',
      'Invalid value: -1: spec.rules[0].backendRefs[0].weight in body should be greater than or equal to 0',
    ],
    [
      'maxItems',
      `${ROUTE_HEADER}  hostnames: #@\n${Array.from({ length: 17 }, (_, i) => `  - h${i}.example.com`).join('\n')}\n`,
      'spec.hostnames',
      'Too many: 17: must have at most 16 items',
    ],
    [
      'minItems',
      `${GATEWAY_HEADER}  gatewayClassName: gc\n  listeners: [] #@\n`,
      'spec.listeners',
      'Invalid value: 0: spec.listeners in body should have at least 1 items',
    ],
    [
      'maxProperties',
      `${GATEWAY_HEADER}  gatewayClassName: gc\n  listeners: [{name: a, port: 80, protocol: HTTP}]\n  infrastructure:\n    labels: #@\n${Array.from({ length: 9 }, (_, i) => `      l${i}: v`).join('\n')}\n`,
      'spec.infrastructure.labels',
      'Too many: 9: must have at most 8 items',
    ],
    [
      'required',
      `${GATEWAY_HEADER}  gatewayClassName: gc\n  listeners:\n  - name: a #@\n    protocol: HTTP\n`,
      'spec.listeners[0].port',
      'Required value',
    ],
    [
      'type',
      `${GATEWAY_HEADER}  gatewayClassName: gc\n  listeners:\n  - name: a\n    port: "80" #@\n    protocol: HTTP\n`,
      'spec.listeners[0].port',
      'Invalid value: "string": spec.listeners[0].port in body must be of type integer: "string"',
    ],
    [
      'object type',
      `${ROUTE_HEADER}  rules: {matches: []} #@\n`,
      'spec.rules',
      'Invalid value: "object": spec.rules in body must be of type array: "object"',
    ],
    [
      'duplicate map key',
      `${ROUTE_HEADER}  rules:\n  - matches:\n    - headers:\n      - {name: x-a, value: "1"}\n      - {name: x-a, value: "2"} #@\n`,
      'spec.rules[0].matches[0].headers[1]',
      'Duplicate value: {"name":"x-a"}',
    ],
    [
      'duplicate set item',
      `${ROUTE_HEADER}  rules:\n  - retry:\n      codes:\n      - 503\n      - 503 #@\n`,
      'spec.rules[0].retry.codes[1]',
      'Duplicate value: 503',
    ],
    [
      'Gateway address format (oneOf)',
      `${GATEWAY_HEADER}  gatewayClassName: gc\n  listeners: [{name: a, port: 80, protocol: HTTP}]\n  addresses:\n  - value: not-an-ip #@\n`,
      'spec.addresses[0]',
      'Invalid value: "": spec.addresses[0] in body must validate one and only one schema (oneOf). Found none valid',
    ],
  ];

  it.each(cases)('%s', (_category, text, field, message) => {
    const errors = rejected(text);
    expect(errors.map((d) => [d.field, d.message])).toContainEqual([field, message]);
    const error = errors.find((d) => d.message === message)!;
    expect(error.position).toEqual({ file: TEST_FILE, ...markedPosition(text) });
  });

  it('reports unknown fields alone, as strict field validation fails before validation', () => {
    const text = `${ROUTE_HEADER}  hostnames: ["a b"]\n  foo: 1 #@\n  rules:\n  - bar: {}\n`;
    const errors = rejected(text);
    expect(errors.map((d) => [d.field, d.message])).toEqual([
      ['spec.foo', 'unknown field "spec.foo"'],
      ['spec.rules[0].bar', 'unknown field "spec.rules[0].bar"'],
    ]);
    expect(errors[0].position).toEqual({ file: TEST_FILE, ...markedPosition(text) });
  });

  it('reports every problem of an object, each at its own field', () => {
    const errors = rejected(`${GATEWAY_HEADER}  gatewayClassName: gc\n  listeners:\n  - {name: A_B, port: 0, protocol: "h t t p"}\n`);
    expect(errors.map((d) => d.field)).toEqual(['spec.listeners[0].name', 'spec.listeners[0].port', 'spec.listeners[0].protocol']);
    expect(errors.every((d) => d.object?.kind === 'Gateway' && d.object.namespace === 'infra' && d.object.name === 'g')).toBe(true);
  });

  it('requires spec', () => {
    const errors = rejected('apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: gc\n');
    expect(errors.map((d) => [d.field, d.message])).toEqual([['spec', 'Required value']]);
  });
});

describe('metadata', () => {
  it('requires a DNS-1123 subdomain name', () => {
    const errors = rejected(`apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: Bad_Name\nspec: {}\n`);
    expect(errors.map((d) => d.field)).toEqual(['metadata.name']);
    expect(errors[0].message).toMatch(/^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
  });

  it('requires a name', () => {
    const errors = rejected(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: x\n`);
    expect(errors.map((d) => [d.field, d.message])).toEqual([['metadata.name', 'Required value: name or generateName is required']]);
  });

  it('holds Namespace names to DNS-1123 labels', () => {
    const errors = rejected(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a.b\n`);
    expect(errors[0].message).toMatch(/a lowercase RFC 1123 label must consist of/);
  });

  it('checks label keys and values', () => {
    const errors = rejected(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels:\n    "a/b/c": x\n    ok: "-bad-"\n`);
    expect(errors.map((d) => d.field)).toEqual(['metadata.labels', 'metadata.labels']);
    expect(errors[1].message).toMatch(/^Invalid value: "-bad-": a valid label must be an empty string/);
  });
});

describe('defaults', () => {
  it('applies the CRD defaults deep in an HTTPRoute', () => {
    const { objects, diagnostics } = validateYaml(`${ROUTE_HEADER}  parentRefs: [{name: gw}]
  rules:
  - matches: [{headers: [{name: x, value: y}]}]
    filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https}
    - type: RequestMirror
      requestMirror: {backendRef: {name: m, port: 80}, fraction: {numerator: 5}}
    - type: CORS
      cors: {allowOrigins: ["*"]}
  - backendRefs: [{name: s, port: 80}]
    sessionPersistence: {sessionName: s, cookieConfig: {}}
`);
    expect(diagnostics).toEqual([]);
    const route = objects[0].object as HTTPRoute;
    expect(route.metadata).toEqual({ name: 'r', namespace: 'default', generation: 1 });
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }]);
    const [first, second] = route.spec.rules;
    expect(first.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x', value: 'y' }] }]);
    expect(first.filters?.[0].requestRedirect?.statusCode).toBe(302);
    expect(first.filters?.[1].requestMirror).toEqual({
      backendRef: { group: '', kind: 'Service', name: 'm', port: 80 },
      fraction: { numerator: 5, denominator: 100 },
    });
    expect(first.filters?.[2].cors?.maxAge).toBe(5);
    expect(second.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(second.backendRefs).toEqual([{ group: '', kind: 'Service', name: 's', port: 80, weight: 1 }]);
    expect(second.sessionPersistence).toEqual({ sessionName: 's', type: 'Cookie', cookieConfig: { lifetimeType: 'Session' } });
  });

  it('defaults a route without rules to one catch-all rule', () => {
    const route = validateYaml(`${ROUTE_HEADER}  hostnames: [a.example.com]\n`).objects[0].object as HTTPRoute;
    expect(route.spec.rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
  });

  it('applies the Gateway defaults', () => {
    const { objects, diagnostics } = validateYaml(`${GATEWAY_HEADER}  gatewayClassName: gc
  addresses: [{value: 10.0.0.1}]
  allowedListeners: {}
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: cert}]}
    allowedRoutes: {kinds: [{kind: HTTPRoute}]}
  tls:
    frontend:
      default: {validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}]}}
`);
    expect(diagnostics).toEqual([]);
    const gw = objects[0].object as Gateway;
    expect(gw.metadata.namespace).toBe('infra');
    expect(gw.spec.addresses).toEqual([{ type: 'IPAddress', value: '10.0.0.1' }]);
    expect(gw.spec.allowedListeners).toEqual({ namespaces: { from: 'None' } });
    expect(gw.spec.listeners[0].tls).toEqual({ mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'cert' }] });
    expect(gw.spec.listeners[0].allowedRoutes).toEqual({
      namespaces: { from: 'Same' },
      kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
    });
    expect(gw.spec.tls?.frontend?.default.validation?.mode).toBe('AllowValidOnly');
  });

  it('defaults GRPC method matches to Exact', () => {
    const { objects } = validateYaml(
      'apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: g}\nspec:\n  rules:\n  - matches: [{method: {service: a.B}}]\n',
    );
    expect(objects[0].object).toMatchObject({ spec: { rules: [{ matches: [{ method: { type: 'Exact', service: 'a.B' } }] }] } });
  });

  it('never mutates the input, drops status and keeps unrelated fields', () => {
    const text = `${ROUTE_HEADER}  rules:\n  - backendRefs: [{name: s, port: 80}]\nstatus:\n  parents: []\n`;
    const { loaded, objects } = validateYaml(text);
    const before = structuredClone(loaded[0].object);
    expect(objects).toHaveLength(1);
    expect(loaded[0].object).toEqual(before);
    expect(loaded[0].object.metadata.namespace).toBeUndefined();
    expect('status' in objects[0].object).toBe(false);
    expect(objects[0].object).not.toBe(loaded[0].object);
    expect(objects[0].origin).toBe(loaded[0].origin);
    expect(objects[0].seq).toBe(loaded[0].seq);
  });

  it('drops metadata.namespace from cluster-scoped objects', () => {
    const { objects } = validateYaml(
      'apiVersion: gateway.networking.k8s.io/v1beta1\nkind: GatewayClass\nmetadata: {name: gc, namespace: x}\nspec: {controllerName: example.com/c}\n',
    );
    expect(objects[0].object.metadata).toEqual({ name: 'gc', generation: 1 });
  });
});

describe('served versions', () => {
  const tlsRoute = (apiVersion: string, spec: string) => `apiVersion: ${apiVersion}\nkind: TLSRoute\nmetadata: {name: t}\nspec:\n${spec}`;
  const twoRules = '  rules:\n  - backendRefs: [{name: a, port: 443}]\n  - backendRefs: [{name: b, port: 443}]\n';

  it('v1alpha2 TLSRoutes may omit hostnames and have several rules', () => {
    const { objects, diagnostics } = validateYaml(tlsRoute('gateway.networking.k8s.io/v1alpha2', twoRules));
    expect(diagnostics).toEqual([]);
    expect((objects[0].object as TLSRoute).spec.hostnames).toEqual([]);
    expect((objects[0].object as TLSRoute).spec.rules).toHaveLength(2);
  });

  it('v1 TLSRoutes need hostnames and one rule', () => {
    const errors = rejected(tlsRoute('gateway.networking.k8s.io/v1', twoRules));
    expect(errors.map((d) => [d.field, d.message])).toEqual([
      ['spec.hostnames', 'Required value'],
      ['spec.rules', 'Too many: 2: must have at most 1 items'],
    ]);
  });

  it('v1 TCPRoutes allow one rule, v1alpha2 more', () => {
    const tcp = (v: string) => `apiVersion: gateway.networking.k8s.io/${v}\nkind: TCPRoute\nmetadata: {name: t}\nspec:\n${twoRules}`;
    expect(validateYaml(tcp('v1alpha2')).objects).toHaveLength(1);
    expect(rejected(tcp('v1')).map((d) => d.message)).toEqual(['Too many: 2: must have at most 1 items']);
  });
});

describe('core kinds', () => {
  it('defaults and checks Services', () => {
    const { objects } = validateYaml('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n');
    expect((objects[0].object as Service).spec).toEqual({ type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    const errors = rejected(
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {name: a, port: 0, protocol: FOO}\n  - {name: a, port: 81, targetPort: "--"}\n  - {port: 82}\n',
    );
    expect(errors.map((d) => [d.field, d.message])).toEqual([
      ['spec.ports[0].protocol', 'Unsupported value: "FOO": supported values: "SCTP", "TCP", "UDP"'],
    ]);
    const semantic = rejected(
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {name: a, port: 0}\n  - {name: a, port: 81, targetPort: "--"}\n  - {port: 82}\n',
    );
    expect(semantic.map((d) => [d.field, d.message])).toEqual([
      ['spec.ports[0].port', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
      ['spec.ports[1].name', 'Duplicate value: "a"'],
      ['spec.ports[1].targetPort', 'Invalid value: "--": must not contain consecutive hyphens'],
      ['spec.ports[1].targetPort', 'Invalid value: "--": must contain at least one letter (a-z)'],
      ['spec.ports[1].targetPort', 'Invalid value: "--": must not begin or end with a hyphen'],
      ['spec.ports[2].name', 'Required value'],
    ]);
  });

  it('requires externalName for ExternalName Services and ports for others', () => {
    expect(rejected('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: ExternalName}\n').map((d) => d.field)).toEqual([
      'spec.externalName',
    ]);
    expect(rejected('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {a: b}}\n').map((d) => d.field)).toEqual(['spec.ports']);
    expect(validateYaml('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: None}\n').objects).toHaveLength(1);
  });

  it('checks Secrets: base64 data, TLS keys, stringData folded into data', () => {
    const { objects } = validateYaml('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: hi}\n');
    expect(objects[0].object as Secret).toMatchObject({ type: 'Opaque', data: { a: 'aGk=' } });
    expect('stringData' in objects[0].object).toBe(false);
    const errors = rejected('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: "abc!"\n');
    expect(errors.map((d) => [d.field, d.message])).toEqual([
      // A missing key is located at its parent, which comes first in the file.
      ['data["tls.key"]', 'Required value'],
      ['data["tls.crt"]', 'illegal base64 data at input byte 3'],
    ]);
  });

  it('checks EndpointSlices', () => {
    const errors = rejected(
      'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints:\n- addresses: []\n- addresses: ["::1"]\n',
    );
    expect(errors.map((d) => [d.field, d.message])).toEqual([
      ['endpoints[0].addresses', 'Required value: must contain at least 1 address'],
      ['endpoints[1].addresses[0]', 'Invalid value: "::1": must be a valid IPv4 address'],
    ]);
    expect(rejected('apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}\n').map((d) => [d.field, d.message])).toEqual([
      ['addressType', 'Required value'],
    ]);
  });

  it('checks ConfigMap keys', () => {
    const errors = rejected('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  "a b": x\n');
    expect(errors.map((d) => d.field)).toEqual(['data["a b"]']);
    expect(errors[0].message).toMatch(/a valid config key must consist of alphanumeric characters/);
  });
});

describe('independence', () => {
  it('rejects the invalid object and keeps the valid one from the same file', () => {
    const text = `${ROUTE_HEADER}  hostnames: [UPPER]\n---\n${ROUTE_HEADER.replace('name: r', 'name: ok')}  hostnames: [lower.example.com]\n`;
    const { objects, diagnostics } = validateYaml(text);
    expect(objects.map((o) => o.object.metadata.name)).toEqual(['ok']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'error', field: 'spec.hostnames[0]', object: { kind: 'HTTPRoute', name: 'r', namespace: 'default' } });
    expect(diagnostics[0].position).toEqual({ file: TEST_FILE, line: 6, col: 15 });
  });
});

describe('IP syntax', () => {
  it('agrees with node:net', () => {
    const samples = ['1.2.3.4', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '::', '::1', '1::', 'fe80::1:2', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9',
      '1::2::3', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', 'g::1', '12345::', '1:2:3:4:5:6:7::', ':1:2:3:4:5:6:7', 'a.example.com', ''];
    for (const s of samples) expect(isIP(s), s).toBe(nodeIsIP(s) !== 0);
  });
});
