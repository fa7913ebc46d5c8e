/**
 * B5 inputs shared by regex.test.ts (assertions) and regex-bench.ts (timings): regular
 * expressions that backtrack catastrophically in V8, each as the RegularExpression path match of
 * its own HTTPRoute (hostname `r<i>.example`), the paths they are matched against, and the timing
 * of one match.
 */
import { CLASS, gatewayYaml, routeYaml, serviceYaml } from '../../host-node/test-support.js';
import type { Router } from '../../src/runtime/router.js';

export const REDOS_PATTERNS = ['^(a+)+$', '^(a|a)*$', '^(\\w+\\s?)*$', '^/api/(.*)*/v1$', '(.*a){20}'] as const;
export const SIZES = [26, 1_000, 64 * 1024] as const;

/** Per pattern and size: the evil input, the same under /api/, and the input without `!`. */
export const redosInputs = (n: number): string[] => ['/' + 'a'.repeat(n) + '!', '/api/' + 'a'.repeat(n) + '!', '/' + 'a'.repeat(n)];

/** Only `(.*a){20}` matches, and only an input of at least 20 a's without the `!`. */
export const redosExpected = (patternIndex: number, path: string): boolean => patternIndex === 4 && !path.endsWith('!');

/** The manifests: one Gateway, one Service on `backendPort`, one HTTPRoute per pattern. */
export function redosManifests(backendPort: number): string[] {
  return [
    CLASS,
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
    serviceYaml('regex', [backendPort]),
    ...REDOS_PATTERNS.map((p, i) =>
      routeYaml(`redos-${i}`, `  - matches: [{ path: { type: RegularExpression, value: ${JSON.stringify(p)} } }]\n    backendRefs: [{ name: regex, port: 8080 }]`, `  hostnames: [r${i}.example]\n`),
    ),
  ];
}

/** Median and max of `runs` timed router.match calls on GET `host` `path` (after one untimed call), in ms. */
export function timeMatch(router: Router, host: string, path: string, runs: number): { median: number; max: number; matched: boolean } {
  const request = { method: 'GET', host, path, port: 80 };
  const matched = router.match(request).matched;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    router.match(request);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)]!, max: samples[runs - 1]!, matched };
}
