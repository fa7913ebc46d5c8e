/**
 * Routing expectations of the Gateway API v1.6.1 conformance suite (the `http[]` cases of the
 * corpus in /work/shared/conformance), from YAML through load -> validate -> resolve ->
 * compile, answered by the Wasm router and by the reference matcher. A 200 case must pick a
 * backend of the expected name and namespace, a 404 case must find no route; 500 cases must
 * match a rule whose pick cannot be forwarded. Skipped when the corpus is not present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTable } from '../compile/compile.js';
import { resolveTexts } from '../pipeline.js';
import { ReferenceMatcher } from '../reference/matcher.js';
import { createRouter } from './router.js';
import type { Matcher } from './types.js';

const ROOT = '/work/shared/conformance';
const TESTS = [
  'HTTPRouteMatching',
  'HTTPRouteExactPathMatching',
  'HTTPRoutePathMatchOrder',
  'HTTPRouteMatchingAcrossRoutes',
  'HTTPRouteHeaderMatching',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteMethodMatching',
  'HTTPRouteHostnameIntersection',
  'HTTPRouteListenerHostnameMatching',
  'GatewayHTTPListenerIsolation',
  'HTTPRouteInvalidNonExistentBackendRef',
  'HTTPRouteNoBackendRefs',
  'HTTPRouteSimpleSameNamespace',
];

interface HttpCase {
  request: { host: string; method?: string; path: string; headers?: Record<string, string> };
  backend: string;
  namespace: string;
  response: { statusCodes: number[] };
  gateway: string;
  port: number;
  phase?: string;
}

const CLASS = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: switchyard }
spec: { controllerName: switchyard.dev/gateway-controller }
`;

describe.skipIf(!existsSync(ROOT))('conformance routing', () => {
  for (const name of TESTS) {
    describe(name, async () => {
      const test = JSON.parse(readFileSync(join(ROOT, 'tests', `${name}.json`), 'utf8')) as { manifestsYaml: string; http: HttpCase[] };
      const fix = (t: string) => t.replaceAll('{GATEWAY_CLASS_NAME}', 'switchyard');
      const { resolution } = resolveTexts([
        { file: 'base.yaml', text: fix(readFileSync(join(ROOT, 'base.yaml'), 'utf8')) },
        { file: 'class.yaml', text: CLASS },
        { file: `${name}.yaml`, text: fix(test.manifestsYaml) },
      ]);
      const matchers: [string, Matcher][] = [
        ['wasm', await createRouter(compileTable(resolution).table)],
        ['reference', new ReferenceMatcher(resolution)],
      ];
      const cases = test.http.filter((c) => !c.phase);
      it('has cases', () => expect(cases.length).toBeGreaterThan(0));
      for (const [label, matcher] of matchers) {
        cases.forEach((c, i) => {
          const status = c.response.statusCodes[0];
          it(`${label} #${i} ${c.request.host}${c.request.path} -> ${status} ${c.backend}`, () => {
            const headers = Object.fromEntries(Object.entries(c.request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
            const d = matcher.match({
              method: c.request.method ?? 'GET',
              host: c.request.host || '127.0.0.2',
              path: c.request.path,
              headers,
              port: c.port,
              gateway: c.gateway,
            });
            if (status === 404) {
              expect(d.matched).toBe(false);
            } else if (status === 500) {
              expect(d.matched && d.outcome).toMatch(/^(no-backend|unresolved-backend|unresolved-filter)$/);
            } else {
              expect(d.matched && d.outcome).toBe('forward');
              if (!d.matched) return;
              expect(d.backend?.name).toBe(c.backend);
              expect(d.backend?.namespace).toBe(c.namespace);
            }
          });
        });
      }
    });
  }
});
