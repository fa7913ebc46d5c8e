/**
 * Serving Ingresses through the pipeline: class selection, status, precedence of Gateway API
 * routes over Ingress rules, listener ports, and the API server's validation of Ingress.
 */
import { describe, expect, it } from 'vitest';
import { compileTable } from '../compile/compile.js';
import { formatDiagnostic } from '../diagnostics.js';
import { resolveTexts } from '../pipeline.js';
import { createRouter } from '../runtime/router.js';

const CLASS = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: switchyard, annotations: { ingressclass.kubernetes.io/is-default-class: "true" } }
spec: { controller: switchyard.dev/ingress-controller }
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
---
apiVersion: v1
kind: Service
metadata: { name: legacy, namespace: web }
spec: { ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: modern, namespace: web }
spec: { ports: [{ port: 80 }] }
`;

const ingress = (name: string, extra = '') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ${name}, namespace: web, creationTimestamp: "2020-01-01T00:00:00Z" }
spec:
  ${extra}
  rules:
    - host: www.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: legacy, port: { number: 80 } } } }
`;

const GATEWAY_API = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: sy }
spec: { controllerName: switchyard.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: web }
spec:
  gatewayClassName: sy
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: modern, namespace: web, creationTimestamp: "2025-01-01T00:00:00Z" }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [www.example.com]
  rules: [{ backendRefs: [{ name: modern, port: 80 }] }]
`;

const run = (...docs: string[]) => resolveTexts([{ file: 'in.yaml', text: docs.join('\n---\n') }]);

describe('serving Ingress', () => {
  it('serves Ingresses of the default class and reports the others as not ours', () => {
    const r = run(CLASS, ingress('mine'), ingress('theirs', 'ingressClassName: nginx'));
    const mine = r.resolution.statuses.get('Ingress/web/mine')!.status as { conditions: { type: string; status: string }[] };
    const theirs = r.resolution.statuses.get('Ingress/web/theirs')!.status as { conditions: { type: string; status: string; reason: string; message: string }[] };
    expect(mine.conditions.map((c) => [c.type, c.status])).toEqual([['Accepted', 'True'], ['Programmed', 'True'], ['Translated', 'True']]);
    expect(theirs.conditions[0]).toMatchObject({ type: 'Accepted', status: 'False', reason: 'NotOurs' });
    expect(theirs.conditions[0].message).toContain('k8s.io/ingress-nginx');
    const gw = r.resolution.gateways.find((g) => g.gateway.metadata.name === 'ingress')!;
    expect(gw.listeners.map((l) => [l.name, l.port, l.routes.length])).toEqual([['http', 80, 1]]);
  });

  it('takes the listener ports from the options', () => {
    const r = resolveTexts([{ file: 'in.yaml', text: [CLASS, ingress('mine')].join('\n---\n') }], { ingress: { httpPort: 8080, httpsPort: 8443 } });
    expect(r.resolution.gateways.at(-1)!.listeners.map((l) => l.port)).toEqual([8080]);
  });

  it('lets a Gateway API route win over an older Ingress on the same host and listener', async () => {
    const r = run(CLASS, ingress('old'), GATEWAY_API);
    // The Ingress Gateway comes last, so on the shared port the Gateway API listener is chosen.
    expect(r.resolution.gateways.map((g) => g.gateway.metadata.name)).toEqual(['gw', 'ingress']);
    const router = await createRouter(compileTable(r.resolution).table);
    const d = router.match({ method: 'GET', host: 'www.example.com', path: '/', port: 80 });
    expect(d.matched && d.backend?.name).toBe('modern');
    // Addressed to the Ingress Gateway alone, the Ingress rule serves.
    const own = router.match({ method: 'GET', host: 'www.example.com', path: '/', port: 80, gateway: 'switchyard-system/ingress' });
    expect(own.matched && own.backend?.name).toBe('legacy');
  });

  it('orders derived routes after Gateway API routes on the same listener', () => {
    const r = run(CLASS, ingress('old'), GATEWAY_API);
    const derived = r.resolution.gateways.at(-1)!.listeners[0].routes[0];
    const modern = r.resolution.gateways[0].listeners[0].routes[0];
    expect(derived.route.metadata.creationTimestamp).toBeUndefined();
    expect(derived.seq!).toBeGreaterThan(modern.seq!);
  });

  it('words the API server\'s Ingress validation errors', () => {
    const bad = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: bad, namespace: web }
spec:
  rules:
    - host: 10.0.0.1
      http:
        paths:
          - { path: /a, backend: { service: { name: legacy, port: { number: 80 } } } }
          - { path: relative, pathType: Prefix, backend: { service: { name: legacy, port: { number: 80 } } } }
          - { path: /a//b, pathType: Exact, backend: { service: { name: legacy, port: { name: http, number: 80 } } } }
          - { path: /c, pathType: Prefix, backend: { service: { name: legacy, port: { number: 80 } }, resource: { kind: Bucket, name: b } } }
`;
    const r = run(CLASS, bad);
    const lines = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    expect(lines).toEqual([
      expect.stringContaining('spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'),
      expect.stringContaining('spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'),
      expect.stringContaining('spec.rules[0].http.paths[1].path: Invalid value: "relative": must be an absolute path'),
      expect.stringContaining('spec.rules[0].http.paths[2].path: Invalid value: "/a//b": must not contain \'//\''),
      expect.stringContaining('spec.rules[0].http.paths[2].backend.service.port: Invalid value: "": cannot set both port name & port number'),
      expect.stringContaining('spec.rules[0].http.paths[3].backend: Invalid value: "": cannot set both resource and service backends'),
    ]);
    expect(r.resolution.statuses.has('Ingress/web/bad')).toBe(false);
  });

  it('lets a converted copy of a derived route serve in its place', () => {
    const converted = GATEWAY_API.replace('name: modern, namespace: web, creationTimestamp', 'name: old, namespace: web, creationTimestamp');
    const r = run(CLASS, ingress('old'), converted);
    const ingressGw = r.resolution.gateways.find((g) => g.gateway.metadata.name === 'ingress')!;
    expect(ingressGw.listeners[0].routes).toEqual([]);
    expect(r.resolution.gateways[0].listeners[0].routes.map((a) => a.route.metadata.name)).toEqual(['old']);
    expect(r.diagnostics.some((d) => d.severity === 'warning' && d.message.includes('HTTPRoute web/old is already in the input'))).toBe(true);
  });

  it('reports dropped annotations as warnings at the annotation', () => {
    const r = run(CLASS, ingress('snippet').replace('creationTimestamp', 'annotations: { nginx.ingress.kubernetes.io/configuration-snippet: "deny all;" }, creationTimestamp'));
    const w = r.diagnostics.find((d) => d.severity === 'warning')!;
    expect(w.field).toBe('metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"]');
    expect(w.message).toContain('never executed');
    const status = r.resolution.statuses.get('Ingress/web/snippet')!.status as { conditions: { type: string; status: string }[] };
    expect(status.conditions.find((c) => c.type === 'Translated')!.status).toBe('False');
  });
});
