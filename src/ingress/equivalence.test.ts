/**
 * Property: an Ingress served by `serve` (in-memory translation through the pipeline) and the
 * same Ingress converted by `convert` (YAML written, loaded again, compiled) send every request
 * to the same backend with the same rewrites, redirects and answers: the router's decision and
 * the filters' plan (planRequest) agree.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileTable } from '../compile/compile.js';
import { resolveTexts } from '../pipeline.js';
import { planRequest, RecordHeaders } from '../runtime/filters/index.js';
import { createRouter, loadCoreModule, type Router } from '../runtime/router.js';
import type { Decision, NoRoute } from '../runtime/types.js';
import { convertObjects, renderConversion } from './convert.js';
import { INGRESS_GATEWAY, INGRESS_GATEWAY_CLASS } from './serve.js';
import { validate } from '../validate/index.js';
import { loadTexts } from '../load/load.js';

const HOSTS = ['a.example.com', 'b.example.com'];
const PATHS = ['/', '/api', '/api/v1', '/shop', '/Shop/cart'];
const SERVICES = ['alpha', 'beta', 'gamma'];

const BASE = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: switchyard }
spec: { controller: switchyard.dev/ingress-controller }
${SERVICES.map((s) => `---
apiVersion: v1
kind: Service
metadata: { name: ${s}, namespace: web }
spec: { ports: [{ name: http, port: 8080 }] }`).join('\n')}
`;

const annotationArb = fc.record(
  {
    'rewrite-target': fc.constantFrom('/$2', '/v2$1$2', '/base/$2', '/fixed'),
    'use-regex': fc.constant('true'),
    'ssl-redirect': fc.constantFrom('true', 'false'),
    'force-ssl-redirect': fc.constant('true'),
    'permanent-redirect': fc.constant('https://moved.example.com/new'),
    'upstream-vhost': fc.constant('internal.example.com'),
    'x-forwarded-prefix': fc.constant('/prefix'),
    'app-root': fc.constant('/home'),
    'enable-cors': fc.constant('true'),
    'proxy-read-timeout': fc.constant('20'),
  },
  { requiredKeys: [] },
);

const pathArb = fc.record({
  path: fc.constantFrom(...PATHS, '/api(/|$)(.*)', '/shop(/|$)(.*)'),
  pathType: fc.constantFrom('Exact', 'Prefix', 'ImplementationSpecific'),
  service: fc.constantFrom(...SERVICES),
  byName: fc.boolean(),
});

const ingressArb = fc.record({
  host: fc.option(fc.constantFrom(...HOSTS), { nil: undefined }),
  paths: fc.array(pathArb, { minLength: 1, maxLength: 4 }),
  annotations: annotationArb,
  tls: fc.boolean(),
  defaultBackend: fc.option(fc.constantFrom(...SERVICES), { nil: undefined }),
  canary: fc.option(fc.record({ weight: fc.integer({ min: 0, max: 100 }), header: fc.boolean() }), { nil: undefined }),
});

type IngressFixture = typeof ingressArb extends fc.Arbitrary<infer T> ? T : never;

function ingressYaml(fixtures: IngressFixture[]): string {
  const docs: unknown[] = [];
  fixtures.forEach((f, i) => {
    const backend = (service: string, byName: boolean) => ({ service: { name: service, port: byName ? { name: 'http' } : { number: 8080 } } });
    const paths = f.paths.map((p) => ({
      // The capture idiom only makes sense as ImplementationSpecific.
      path: p.path,
      pathType: p.path.includes('(') ? 'ImplementationSpecific' : p.pathType,
      backend: backend(p.service, p.byName),
    }));
    const annotations = Object.fromEntries(Object.entries(f.annotations).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, v]));
    docs.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `ing-${i}`, namespace: 'web', annotations },
      spec: {
        ingressClassName: 'switchyard',
        ...(f.defaultBackend ? { defaultBackend: backend(f.defaultBackend, false) } : {}),
        ...(f.tls && f.host ? { tls: [{ hosts: [f.host], secretName: 'cert' }] } : {}),
        rules: [{ ...(f.host ? { host: f.host } : {}), http: { paths } }],
      },
    });
    if (f.canary) {
      docs.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          name: `ing-${i}-canary`,
          namespace: 'web',
          annotations: {
            'nginx.ingress.kubernetes.io/canary': 'true',
            'nginx.ingress.kubernetes.io/canary-weight': String(f.canary.weight),
            ...(f.canary.header ? { 'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary' } : {}),
          },
        },
        spec: { ingressClassName: 'switchyard', rules: [{ ...(f.host ? { host: f.host } : {}), http: { paths: [{ ...paths[0], backend: backend('gamma', false) }] } }] },
      });
    }
  });
  return docs.map((d) => stringify(d)).join('---\n');
}

const requestArb = fc.record({
  host: fc.constantFrom(...HOSTS, 'other.example.com'),
  path: fc.constantFrom('/', '/api', '/api/', '/api/v1', '/api/v1/x?q=1', '/apix', '/shop/cart', '/SHOP', '/Shop/cart', '/home', '/x'),
  port: fc.constantFrom(80, 443),
  method: fc.constantFrom('GET', 'OPTIONS'),
  canary: fc.constantFrom(undefined, 'always', 'never', 'other'),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

let core: WebAssembly.Module | undefined;

async function routerFor(text: string, extra: string): Promise<Router> {
  const result = resolveTexts([{ file: 'in.yaml', text: `${extra}\n---\n${text}` }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  core ??= await loadCoreModule();
  return createRouter(compileTable(result.resolution).table, { module: core });
}

interface Req {
  method: string;
  host: string;
  path: string;
  port: number;
  canary?: string;
}

function summary(d: Decision | NoRoute, request: Req) {
  if (!d.matched) return { matched: false, reason: d.reason };
  const headers = new RecordHeaders({
    host: request.host,
    origin: 'https://site.example.com',
    ...(request.method === 'OPTIONS' ? { 'access-control-request-method': 'GET' } : {}),
    ...(request.canary ? { 'x-canary': request.canary } : {}),
  });
  const plan = planRequest(d, { method: request.method, scheme: request.port === 443 ? 'https' : 'http', authority: request.host, path: request.path, headers }, () => 0.25);
  const upstreamHeaders: [string, string][] = [];
  plan.upstream.headers.forEach((v, n) => upstreamHeaders.push([n, v]));
  return {
    route: `${d.route.namespace}/${d.route.name}`,
    rule: d.ruleIndex,
    listener: d.listener.name,
    backend: d.backend ? `${d.backend.namespace}/${d.backend.name}:${d.backend.port}` : null,
    outcome: d.outcome,
    respond: plan.respond ?? null,
    upstream: plan.respond ? null : { authority: plan.upstream.authority, path: plan.upstream.path, headers: upstreamHeaders.sort() },
    timeouts: d.rule.timeouts ?? null,
  };
}

describe('served Ingress and converted routes route alike', () => {
  it('for random Ingresses and requests', async () => {
    let compared = 0;
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(ingressArb, { minLength: 1, maxLength: 3 }), fc.array(requestArb, { minLength: 5, maxLength: 15 }), async (fixtures, requests) => {
        const text = ingressYaml(fixtures);
        const served = await routerFor(text, BASE);
        const input = loadTexts([{ file: 'in.yaml', text: `${BASE}\n---\n${text}` }]);
        const conversion = convertObjects(validate(input.objects).objects, {
          gateway: `${INGRESS_GATEWAY.namespace}/${INGRESS_GATEWAY.name}`,
          gatewayClassName: INGRESS_GATEWAY_CLASS,
        });
        const gatewayClass = `apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: ${INGRESS_GATEWAY_CLASS} }\nspec: { controllerName: switchyard.dev/gateway-controller }`;
        const services = BASE.split('---').slice(1).join('---');
        const converted = await routerFor(renderConversion(conversion.objects, 'yaml'), `${gatewayClass}\n---${services}`);
        for (const r of requests) {
          const req = { method: r.method, host: r.host, path: r.path, port: r.port, headers: { ...(r.canary ? { 'x-canary': r.canary } : {}) } };
          served.seed(r.seed);
          converted.seed(r.seed);
          const a = summary(served.match(req), r);
          const b = summary(converted.match(req), r);
          expect(b).toEqual(a);
          compared++;
          if (a.matched !== false) matched++;
        }
      }),
      { numRuns: 150, seed: Number(process.env.INGRESS_PROPERTY_SEED ?? 20240601) },
    );
    expect(compared).toBeGreaterThan(500);
    // The generator must exercise routing, not only misses.
    expect(matched).toBeGreaterThan(compared / 4);
  }, 120_000);
});
