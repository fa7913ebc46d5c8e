/**
 * Gateway API manifests for the process benchmarks, on the route-table shape of performance.md
 * §1.2 and bench/matcher: route i in group team⌊i/10⌋, even i Exact
 * `/api/v1/team{t}/svc{i}/status`, odd i PathPrefix `/api/v1/team{t}/svc{i}`; one HTTPRoute per
 * route, all sending to Service `echo` (one loopback endpoint). The hit route (the middle odd
 * route) splits 90/10 between Services `echo-a` and `echo-b` (same endpoint) and adds a request
 * header, so a request pays one weighted pick and one filter.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The route the load hits (middle of the table, a PathPrefix route). */
export function hitRoute(n: number): number {
  const mid = Math.floor(n / 2);
  return mid % 2 ? mid : mid + 1;
}

/** The request path the load sends: the hit route's prefix plus two segments and a query. */
export function hitPath(n: number): string {
  const i = hitRoute(n);
  return `/api/v1/team${Math.floor(i / 10)}/svc${i}/a/b?x=1`;
}

const CLASS = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: switchyard }
spec: { controllerName: switchyard.dev/gateway-controller }`;

function gateway(port: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: infra }
spec:
  gatewayClassName: switchyard
  listeners:
  - { name: http, port: ${port}, protocol: HTTP, allowedRoutes: { namespaces: { from: Same } } }`;
}

function service(name: string, backendPort: number): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: infra }
spec:
  ports:
  - { name: http, port: 8080, targetPort: ${backendPort} }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-0
  namespace: infra
  labels: { kubernetes.io/service-name: ${name} }
addressType: IPv4
endpoints:
- addresses: ["127.0.0.1"]
  conditions: { ready: true }
ports:
- { name: http, port: ${backendPort} }`;
}

function route(i: number, hit: boolean): string {
  const t = Math.floor(i / 10);
  const match = i % 2 === 0 ? `{ path: { type: Exact, value: /api/v1/team${t}/svc${i}/status } }` : `{ path: { type: PathPrefix, value: /api/v1/team${t}/svc${i} } }`;
  const rule = hit
    ? `  - matches: [${match}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: { add: [{ name: x-bench, value: hit }] }
    backendRefs: [{ name: echo-a, port: 8080, weight: 90 }, { name: echo-b, port: 8080, weight: 10 }]`
    : `  - matches: [${match}]
    backendRefs: [{ name: echo, port: 8080 }]`;
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r${i}, namespace: infra }
spec:
  parentRefs: [{ name: gw }]
  rules:
${rule}`;
}

/** An extra Exact route `/reload/{k}` (the reload benchmark polls it until it answers). */
export function extraRoute(k: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: reload-${k}, namespace: infra }
spec:
  parentRefs: [{ name: gw }]
  rules:
  - matches: [{ path: { type: Exact, value: /reload/${k} } }]
    backendRefs: [{ name: echo, port: 8080 }]`;
}

/** The Gateway, class and Services (base.yaml). */
export function baseYaml(listenerPort: number, backendPort: number): string {
  return [CLASS, gateway(listenerPort), service('echo', backendPort), service('echo-a', backendPort), service('echo-b', backendPort)].join('\n---\n') + '\n';
}

/** The n routes (routes.yaml), plus the extra reload routes `extra`. */
export function routesYaml(n: number, extra: readonly number[] = []): string {
  const hit = hitRoute(n);
  const docs: string[] = [];
  for (let i = 0; i < n; i++) docs.push(route(i, i === hit));
  for (const k of extra) docs.push(extraRoute(k));
  return docs.join('\n---\n') + '\n';
}

export interface ManifestSet {
  dir: string;
  routesFile: string;
  remove(): Promise<void>;
}

/** Writes base.yaml and routes.yaml into a fresh temporary directory. */
export async function writeManifests(n: number, listenerPort: number, backendPort: number): Promise<ManifestSet> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-'));
  await writeFile(join(dir, 'base.yaml'), baseYaml(listenerPort, backendPort));
  await writeFile(join(dir, 'routes.yaml'), routesYaml(n));
  return { dir, routesFile: join(dir, 'routes.yaml'), remove: () => rm(dir, { recursive: true, force: true }) };
}
