import { describe, expect, it } from 'vitest';
import { resolve } from './index.js';
import { caConfigMapYaml, objectsFromYaml, tlsSecretYaml } from './test-support.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const CLASS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: sy }
spec: { controllerName: switchyard.dev/gateway-controller }
---
apiVersion: v1
kind: Namespace
metadata: { name: infra, labels: { team: infra } }
---
apiVersion: v1
kind: Namespace
metadata: { name: apps, labels: { team: apps } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: infra }
spec: { ports: [{ name: http, port: 8080 }, { name: https, port: 443 }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: apps }
spec: { ports: [{ port: 8080 }] }
`;

function run(...yaml: string[]) {
  return resolve(objectsFromYaml(CLASS, ...yaml), { now: NOW });
}

/**
 * Resolves objects changed after validation: the resolver is a pure function that library
 * users may call on objects that never met the validator, so it must not trust what the
 * validator guarantees.
 */
function runUnvalidated(change: (objects: any[]) => void, ...yaml: string[]) {
  const objects = objectsFromYaml(CLASS, ...yaml);
  change(objects.map((o) => o.object));
  return resolve(objects, { now: NOW });
}
const named = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const status = (r: ReturnType<typeof run>, key: string) => r.statuses.get(key)?.status as any;
const condition = (list: any[], type: string) => list.find((c) => c.type === type);
const listener = (r: ReturnType<typeof run>, key: string, name: string) => status(r, key).listeners.find((l: any) => l.name === name);

function gateway(name: string, listeners: string, extra = ''): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: infra }
spec:
  gatewayClassName: sy
${extra}
  listeners:
${listeners}
`;
}

function route(name: string, namespace: string, spec: string, kind = 'HTTPRoute'): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: { name: ${name}, namespace: ${namespace} }
spec:
${spec}
`;
}

describe('GatewayClass', () => {
  it('reports only our classes; parametersRef makes them InvalidParameters', () => {
    const r = run(`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: other }
spec: { controllerName: example.com/other }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: params }
spec:
  controllerName: switchyard.dev/gateway-controller
  parametersRef: { group: example.com, kind: Params, name: p }
`);
    expect(r.statuses.has('GatewayClass/other')).toBe(false);
    expect(condition(status(r, 'GatewayClass/sy').conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted', observedGeneration: 1 });
    expect(condition(status(r, 'GatewayClass/sy').conditions, 'SupportedVersion')).toMatchObject({ status: 'True' });
    expect(condition(status(r, 'GatewayClass/params').conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidParameters' });
  });
});

describe('listeners', () => {
  it('rejects unsupported protocols with empty supportedKinds and keeps the Gateway accepted', () => {
    const r = run(gateway('gw', `
    - { name: http, port: 80, protocol: HTTP }
    - { name: sctp, port: 81, protocol: SCTP }`));
    const gw = status(r, 'Gateway/infra/gw');
    expect(condition(gw.conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'ListenersNotValid' });
    expect(listener(r, 'Gateway/infra/gw', 'sctp')).toMatchObject({ supportedKinds: [], attachedRoutes: 0 });
    expect(condition(listener(r, 'Gateway/infra/gw', 'sctp').conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'UnsupportedProtocol' });
    expect(listener(r, 'Gateway/infra/gw', 'http').supportedKinds.map((k: any) => k.kind)).toEqual(['HTTPRoute', 'GRPCRoute']);
  });

  it('keeps valid kinds and reports InvalidRouteKinds for the others', () => {
    const r = run(gateway('gw', `
    - name: tls
      port: 443
      protocol: TLS
      tls: { mode: Passthrough }
      allowedRoutes: { kinds: [{ kind: TCPRoute }, { kind: TLSRoute }] }`));
    const l = listener(r, 'Gateway/infra/gw', 'tls');
    expect(l.supportedKinds).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'TLSRoute' }]);
    expect(condition(l.conditions, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'InvalidRouteKinds' });
    expect(condition(l.conditions, 'ResolvedRefs').message).toContain('TCPRoute');
  });

  it('resolves certificates: missing, cross-namespace without grant, malformed, valid', () => {
    const https = (name: string, ref: string) => `
    - name: ${name}
      port: 443
      hostname: ${name}.example.com
      protocol: HTTPS
      tls: { certificateRefs: [${ref}] }`;
    const r = run(
      gateway('gw', [https('missing', '{ name: nope }'), https('cross', '{ name: cert, namespace: apps }'), https('bad', '{ name: bad }'), https('good', '{ name: cert }')].join('')),
      tlsSecretYaml('infra', 'cert'),
      tlsSecretYaml('apps', 'cert'),
      `apiVersion: v1
kind: Secret
metadata: { name: bad, namespace: infra }
type: kubernetes.io/tls
data: { tls.crt: bm90IGEgY2VydA==, tls.key: bm90IGEga2V5 }`,
    );
    const reason = (n: string) => condition(listener(r, 'Gateway/infra/gw', n).conditions, 'ResolvedRefs').reason;
    expect(reason('missing')).toBe('InvalidCertificateRef');
    expect(reason('cross')).toBe('RefNotPermitted');
    expect(reason('bad')).toBe('InvalidCertificateRef');
    expect(reason('good')).toBe('ResolvedRefs');
    expect(condition(listener(r, 'Gateway/infra/gw', 'bad').conditions, 'Programmed')).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(r.diagnostics.some((d) => d.object?.name === 'bad' && d.severity === 'warning')).toBe(true);
    const good = r.gateways[0].listeners.find((l) => l.name === 'good')!;
    expect(good.ready).toBe(true);
    expect(good.tls?.certificates[0]).toMatchObject({ secret: 'infra/cert', dnsNames: ['*', '*.example.com', 'example.com'] });
    expect(r.gateways[0].listeners.find((l) => l.name === 'bad')!.ready).toBe(false);
  });

  it('marks every indistinct listener of one Gateway as conflicted', () => {
    // Two listeners with the same port, protocol and hostname fail validation; set b's hostname afterwards.
    const r = runUnvalidated((objects) => (named(objects, 'Gateway', 'gw').spec.listeners[1].hostname = 'a.example.com'), gateway('gw', `
    - { name: a, port: 80, protocol: HTTP, hostname: a.example.com }
    - { name: b, port: 80, protocol: HTTP, hostname: b.example.com }
    - { name: c, port: 80, protocol: HTTP, hostname: c.example.com }
    - { name: t, port: 90, protocol: TCP }
    - { name: h, port: 90, protocol: HTTP }
    - { name: u, port: 90, protocol: UDP }`));
    const c = (n: string) => condition(listener(r, 'Gateway/infra/gw', n).conditions, 'Conflicted');
    expect(c('a')).toMatchObject({ status: 'True', reason: 'HostnameConflict' });
    expect(c('b')).toMatchObject({ status: 'True', reason: 'HostnameConflict' });
    expect(c('c')).toMatchObject({ status: 'False', reason: 'NoConflicts' });
    expect(c('t')).toMatchObject({ status: 'True', reason: 'ProtocolConflict' });
    expect(c('h')).toMatchObject({ status: 'True', reason: 'ProtocolConflict' });
    expect(c('u')).toMatchObject({ status: 'False' });
    expect(listener(r, 'Gateway/infra/gw', 't').supportedKinds).toEqual([]);
    expect(condition(listener(r, 'Gateway/infra/gw', 'a').conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'HostnameConflict' });
  });

  it('allows mixed TLS termination modes on one port', () => {
    const r = run(
      gateway('gw', `
    - { name: term, port: 443, protocol: TLS, hostname: a.example.com, tls: { mode: Terminate, certificateRefs: [{ name: cert }] } }
    - { name: pass, port: 443, protocol: TLS, hostname: b.example.com, tls: { mode: Passthrough } }`),
      tlsSecretYaml('infra', 'cert'),
    );
    for (const n of ['term', 'pass']) expect(condition(listener(r, 'Gateway/infra/gw', n).conditions, 'Accepted').status).toBe('True');
  });
});

describe('ListenerSets', () => {
  const ls = (name: string, ns: string, listeners: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: ${name}, namespace: ${ns} }
spec:
  parentRef: { name: gw, namespace: infra }
  listeners:
${listeners}
`;
  it('admits by allowedListeners and resolves conflicts by precedence', () => {
    const r = run(
      gateway('gw', `    - { name: main, port: 80, protocol: HTTP, hostname: main.example.com }`, `  allowedListeners: { namespaces: { from: Selector, selector: { matchLabels: { team: infra } } } }`),
      ls('first', 'infra', `    - { name: x, port: 80, protocol: HTTP, hostname: x.example.com }
    - { name: dup, port: 80, protocol: HTTP, hostname: main.example.com }`),
      ls('second', 'infra', `    - { name: x, port: 80, protocol: HTTP, hostname: x.example.com }`),
      ls('outsider', 'apps', `    - { name: y, port: 80, protocol: HTTP, hostname: y.example.com }`),
    );
    expect(status(r, 'Gateway/infra/gw').attachedListenerSets).toBe(1);
    expect(condition(status(r, 'ListenerSet/infra/first').conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'ListenersNotValid' });
    expect(condition(listener(r, 'ListenerSet/infra/first', 'dup').conditions, 'Conflicted')).toMatchObject({ status: 'True', reason: 'HostnameConflict' });
    expect(condition(listener(r, 'ListenerSet/infra/first', 'x').conditions, 'Accepted').status).toBe('True');
    expect(condition(status(r, 'ListenerSet/infra/second').conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'ListenersNotValid' });
    expect(condition(status(r, 'ListenerSet/apps/outsider').conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'NotAllowed' });
    expect(condition(status(r, 'ListenerSet/apps/outsider').conditions, 'Programmed')).toMatchObject({ status: 'False', reason: 'NotAllowed' });
    expect(r.gateways[0].listeners.map((l) => `${l.owner.name}/${l.name}`)).toEqual(['gw/main', 'first/x', 'first/dup']);
  });
});

describe('route attachment', () => {
  const gw = gateway('gw', `
    - { name: same, port: 80, protocol: HTTP, hostname: '*.example.com' }
    - name: apps
      port: 8080
      protocol: HTTP
      allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { team: apps } } } }`);
  const reasonOf = (r: ReturnType<typeof run>, key: string) => condition(status(r, key).parents[0].conditions, 'Accepted');

  it('gives each parentRef its reason', () => {
    const r = run(
      gw,
      route('ok', 'infra', `  parentRefs: [{ name: gw, sectionName: same }]\n  hostnames: [a.example.com]`),
      route('wrong-section', 'infra', `  parentRefs: [{ name: gw, sectionName: nope }]`),
      route('wrong-port', 'infra', `  parentRefs: [{ name: gw, sectionName: same, port: 8080 }]`),
      route('ns', 'apps', `  parentRefs: [{ name: gw, namespace: infra, sectionName: same }]`),
      route('host', 'infra', `  parentRefs: [{ name: gw, sectionName: same }]\n  hostnames: [example.com]`),
      route('kind', 'infra', `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: web, port: 8080 }] }]`, 'TCPRoute'),
      route('other-controller', 'infra', `  parentRefs: [{ name: not-ours }]`),
    );
    expect(reasonOf(r, 'HTTPRoute/infra/ok')).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(reasonOf(r, 'HTTPRoute/infra/wrong-section')).toMatchObject({ status: 'False', reason: 'NoMatchingParent' });
    expect(reasonOf(r, 'HTTPRoute/infra/wrong-port')).toMatchObject({ status: 'False', reason: 'NoMatchingParent' });
    expect(reasonOf(r, 'HTTPRoute/apps/ns')).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    expect(reasonOf(r, 'HTTPRoute/infra/host')).toMatchObject({ status: 'False', reason: 'NoMatchingListenerHostname' });
    expect(reasonOf(r, 'TCPRoute/infra/kind')).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    expect(r.statuses.has('HTTPRoute/infra/other-controller')).toBe(false);
    expect(status(r, 'HTTPRoute/infra/ok').parents[0]).toMatchObject({
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: 'gw', sectionName: 'same' },
      controllerName: 'switchyard.dev/gateway-controller',
    });
    expect(listener(r, 'Gateway/infra/gw', 'same').attachedRoutes).toBe(1);
    expect(listener(r, 'Gateway/infra/gw', 'apps').attachedRoutes).toBe(0);
  });

  it('selects namespaces by label and computes effective hostnames', () => {
    const r = run(gw, route('a', 'apps', `  parentRefs: [{ name: gw, namespace: infra }]\n  hostnames: [x.example.com, other.org]`));
    expect(reasonOf(r, 'HTTPRoute/apps/a')).toMatchObject({ status: 'True' });
    const ls = r.gateways[0].listeners;
    expect(ls.find((l) => l.name === 'apps')!.routes[0].hostnames).toEqual(['x.example.com', 'other.org']);
    expect(ls.find((l) => l.name === 'same')!.routes).toEqual([]);
    expect(listener(r, 'Gateway/infra/gw', 'apps').attachedRoutes).toBe(1);
  });

  it('orders attached routes oldest first', () => {
    const spec = `  parentRefs: [{ name: gw, sectionName: same }]`;
    const r = run(gw, route('zz-old', 'infra', spec), route('aa-new', 'infra', spec));
    expect(r.gateways[0].listeners[0].routes.map((x) => x.route.metadata.name)).toEqual(['zz-old', 'aa-new']);
  });
});

describe('backends', () => {
  const gw = gateway('gw', `    - { name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
    - { name: udp, port: 53, protocol: UDP, allowedRoutes: { namespaces: { from: All } } }`);
  const refs = (r: ReturnType<typeof run>, key: string) => condition(status(r, key).parents[0].conditions, 'ResolvedRefs');

  it('resolves each reference or names its problem', () => {
    const r = run(
      gw,
      route('r', 'apps', `  parentRefs: [{ name: gw, namespace: infra, sectionName: http }]
  rules:
    - backendRefs: [{ name: web, port: 8080 }]
    - backendRefs: [{ name: web, namespace: infra, port: 8080 }]
    - backendRefs: [{ name: ghost, namespace: infra, port: 8080 }]
    - backendRefs: [{ name: web, port: 9999 }]
    - backendRefs: [{ group: example.com, kind: Thing, name: web }]`),
    );
    const rules = r.gateways[0].listeners[0].routes[0].rules;
    const problem = (i: number) => ('problem' in rules[i].backends[0].target ? (rules[i].backends[0].target as any).problem : 'ok');
    expect([0, 1, 2, 3, 4].map(problem)).toEqual(['ok', 'RefNotPermitted', 'RefNotPermitted', 'BackendNotFound', 'InvalidKind']);
    const c = refs(r, 'HTTPRoute/apps/r');
    expect(c).toMatchObject({ status: 'False', reason: 'RefNotPermitted' });
    expect(c.message).toContain('Service infra/web is not permitted by any ReferenceGrant');
    expect(condition(status(r, 'HTTPRoute/apps/r').parents[0].conditions, 'Accepted').status).toBe('True');
  });

  it('honours ReferenceGrants and transport protocols', () => {
    const r = run(
      gw,
      `apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: { name: g, namespace: infra }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps }]
  to: [{ group: '', kind: Service, name: web }]`,
      route('r', 'apps', `  parentRefs: [{ name: gw, namespace: infra, sectionName: http }]\n  rules: [{ backendRefs: [{ name: web, namespace: infra, port: 8080 }] }]`),
      route('u', 'apps', `  parentRefs: [{ name: gw, namespace: infra, sectionName: udp }]\n  rules: [{ backendRefs: [{ name: web, port: 8080 }] }]`, 'UDPRoute'),
    );
    expect(refs(r, 'HTTPRoute/apps/r')).toMatchObject({ status: 'True', reason: 'ResolvedRefs' });
    expect(refs(r, 'UDPRoute/apps/u')).toMatchObject({ status: 'False', reason: 'UnsupportedProtocol' });
  });

  it('drops rules with incompatible filters (PartiallyInvalid) and rejects routes with no valid rule', () => {
    // Validation rejects RequestRedirect + URLRewrite in one rule; add the URLRewrite afterwards.
    const bad = `{ filters: [{ type: RequestRedirect, requestRedirect: { statusCode: 302 } }] }`;
    const rewrite = { type: 'URLRewrite', urlRewrite: { hostname: 'x' } };
    const r = runUnvalidated(
      (objects) => {
        named(objects, 'HTTPRoute', 'partial').spec.rules[1].filters.push(rewrite);
        named(objects, 'HTTPRoute', 'none').spec.rules[0].filters.push(rewrite);
      },
      gw,
      route('partial', 'infra', `  parentRefs: [{ name: gw, sectionName: http }]\n  rules: [{ backendRefs: [{ name: web, port: 8080 }] }, ${bad}]`),
      route('none', 'infra', `  parentRefs: [{ name: gw, sectionName: http }]\n  rules: [${bad}]`),
    );
    const partial = status(r, 'HTTPRoute/infra/partial').parents[0].conditions;
    expect(condition(partial, 'Accepted').status).toBe('True');
    expect(condition(partial, 'PartiallyInvalid')).toMatchObject({ status: 'True' });
    expect(condition(status(r, 'HTTPRoute/infra/none').parents[0].conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'IncompatibleFilters' });
    expect(listener(r, 'Gateway/infra/gw', 'http').attachedRoutes).toBe(1);
  });
});

describe('BackendTLSPolicy', () => {
  const policy = (name: string, target: string, ca: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: ${name}, namespace: infra }
spec:
  targetRefs: [${target}]
  validation: { hostname: web.example.com, caCertificateRefs: [${ca}] }
`;
  it('reports ancestors, conflicts, CA problems and applies the winner', () => {
    const r = run(
      gateway('gw', `    - { name: http, port: 80, protocol: HTTP }`),
      route('r', 'infra', `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: web, port: 443 }] }]`),
      caConfigMapYaml('infra', 'ca'),
      policy('b-old', `{ group: '', kind: Service, name: web }`, `{ group: '', kind: ConfigMap, name: ca }`),
      policy('a-new', `{ group: '', kind: Service, name: web }`, `{ group: '', kind: ConfigMap, name: ca }`),
      policy('section', `{ group: '', kind: Service, name: web, sectionName: https }`, `{ group: '', kind: ConfigMap, name: missing }`),
      policy('kind', `{ group: '', kind: Service, name: other }`, `{ group: example.com, kind: Thing, name: x }`),
    );
    const anc = (n: string) => status(r, `BackendTLSPolicy/infra/${n}`)?.ancestors;
    expect(anc('b-old')[0].ancestorRef).toEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: 'gw' });
    expect(condition(anc('b-old')[0].conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(condition(anc('a-new')[0].conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'Conflicted' });
    expect(condition(anc('section')[0].conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'NoValidCACertificate' });
    expect(condition(anc('section')[0].conditions, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'InvalidCACertificateRef' });
    expect(anc('kind')).toBeUndefined(); // its Service is not routed to by any Gateway of ours
    const backend = r.gateways[0].listeners[0].routes[0].rules[0].backends[0];
    expect(backend.tls).toMatchObject({ policy: 'infra/section', hostname: 'web.example.com' });
    expect(backend.tls?.error).toContain('No valid CA certificate');
  });
});

describe('Gateway addresses and references', () => {
  it('reports the default address and rejects unsupported ones', () => {
    const r = resolve(
      objectsFromYaml(
        CLASS,
        gateway('plain', `    - { name: http, port: 80, protocol: HTTP }`),
        gateway('fake', `    - { name: http, port: 80, protocol: HTTP }`, `  addresses: [{ type: example.com/fake, value: x }]`),
        gateway('remote', `    - { name: http, port: 80, protocol: HTTP }`, `  addresses: [{ value: 192.0.2.1 }]`),
      ),
      { now: NOW, defaultAddress: { type: 'IPAddress', value: '10.0.0.1' }, localAddresses: ['10.0.0.1'] },
    );
    expect((r.statuses.get('Gateway/infra/plain')!.status as any).addresses).toEqual([{ type: 'IPAddress', value: '10.0.0.1' }]);
    expect(condition((r.statuses.get('Gateway/infra/fake')!.status as any).conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'UnsupportedAddress' });
    const remote = (r.statuses.get('Gateway/infra/remote')!.status as any).conditions;
    expect(condition(remote, 'Accepted').status).toBe('True');
    expect(condition(remote, 'Programmed')).toMatchObject({ status: 'False', reason: 'AddressNotUsable' });
    expect(r.gateways.map((g) => g.gateway.metadata.name)).toEqual(['plain', 'remote']);
  });

  it('asks addressFor for Gateways that request no address, in namespace/name order', () => {
    const asked: string[] = [];
    const r = resolve(
      objectsFromYaml(
        CLASS,
        gateway('b', `    - { name: http, port: 80, protocol: HTTP }`),
        gateway('a', `    - { name: http, port: 80, protocol: HTTP }`),
        gateway('fixed', `    - { name: http, port: 80, protocol: HTTP }`, `  addresses: [{ value: 10.0.0.9 }]`),
      ),
      {
        now: NOW,
        addressFor: (gw) => {
          asked.push(gw.metadata.name);
          return gw.metadata.name === 'b' ? undefined : { type: 'IPAddress', value: `127.0.10.${asked.length}` };
        },
      },
    );
    expect(asked).toEqual(['a', 'b']);
    expect((r.statuses.get('Gateway/infra/a')!.status as any).addresses).toEqual([{ type: 'IPAddress', value: '127.0.10.1' }]);
    expect((r.statuses.get('Gateway/infra/b')!.status as any).addresses).toEqual([{ type: 'IPAddress', value: '127.0.0.1' }]);
    expect(r.gateways.find((g) => g.gateway.metadata.name === 'fixed')!.addresses).toEqual([{ type: 'IPAddress', value: '10.0.0.9' }]);
  });

  it('judges the backend client certificate at the Gateway level', () => {
    const r = run(
      gateway('ok', `    - { name: http, port: 80, protocol: HTTP }`, `  tls: { backend: { clientCertificateRef: { name: cert } } }`),
      gateway('cross', `    - { name: http, port: 80, protocol: HTTP }`, `  tls: { backend: { clientCertificateRef: { name: cert, namespace: apps } } }`),
      tlsSecretYaml('infra', 'cert'),
      tlsSecretYaml('apps', 'cert'),
    );
    expect(condition(status(r, 'Gateway/infra/ok').conditions, 'ResolvedRefs')).toMatchObject({ status: 'True' });
    expect(r.gateways.find((g) => g.gateway.metadata.name === 'ok')!.backendClientCertificate?.secret).toBe('infra/cert');
    expect(condition(status(r, 'Gateway/infra/cross').conditions, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'RefNotPermitted' });
    expect(condition(status(r, 'Gateway/infra/cross').conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
  });

  it('produces the same output for the same input (deterministic order)', () => {
    const input = [gateway('b', `    - { name: http, port: 80, protocol: HTTP }`), gateway('a', `    - { name: http, port: 80, protocol: HTTP }`)];
    const one = run(...input);
    const two = run(...input.reverse());
    expect(one.gateways.map((g) => g.gateway.metadata.name)).toEqual(['a', 'b']);
    expect([...one.statuses.keys()].sort()).toEqual([...two.statuses.keys()].sort());
    expect(JSON.stringify([...one.statuses.entries()].sort())).toBe(JSON.stringify([...two.statuses.entries()].sort()));
  });
});
