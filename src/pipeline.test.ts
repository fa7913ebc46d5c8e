import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compile } from './pipeline.js';
import { createRouter } from './runtime/router.js';

const MANIFESTS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: sy }
spec: { controllerName: switchyard.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: sy
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { ports: [{ port: 8080 }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /app } }]
    backendRefs: [{ name: web, port: 8080 }]
`;

describe('compile() as a library', () => {
  it('takes YAML text and gives a table a router matches against, with status and diagnostics', async () => {
    const result = compile(MANIFESTS);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
    const route = result.resolution.statuses.get('HTTPRoute/default/web')!.status as any;
    expect(route.parents[0].conditions[0]).toMatchObject({ type: 'Accepted', status: 'True' });
    const router = await createRouter(result.table);
    const d = router.match({ method: 'GET', host: 'anything', path: '/app/x?y=1', port: 80 });
    expect(d.matched && d.id).toBe('httproute/default/web/rule/0/match/0');
    expect(router.match({ method: 'GET', host: 'anything', path: '/application', port: 80 }).matched).toBe(false);
  });

  it('takes objects and gives identical bytes for identical input', () => {
    const objects = parseAllDocuments(MANIFESTS).map((d) => d.toJS());
    expect(Buffer.from(compile(objects).table).equals(Buffer.from(compile(MANIFESTS).table))).toBe(true);
  });

  it('reports invalid objects with their position and still compiles the rest', () => {
    const broken = MANIFESTS + `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: bad, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ matches: [{ path: { type: Regex, value: /x } }] }]
`;
    const result = compile([{ file: 'routes.yaml', text: broken }]);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ position: { file: 'routes.yaml', line: 33 }, field: 'spec.rules[0].matches[0].path.type' });
    expect(result.manifest.rules.map((r) => r.id)).toEqual(['httproute/default/web/rule/0']);
  });
});
