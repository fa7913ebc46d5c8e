import { beforeAll, describe, expect, it } from 'vitest';
import { compileTable } from '../compile/compile.js';
import { ReferenceMatcher } from '../reference/matcher.js';
import { MATCHER_CASES, type MatcherCase } from './matcher.cases.js';
import { createRouter } from './router.js';
import type { Matcher, MatchRequest } from './types.js';

const implementations: [string, (c: MatcherCase) => Promise<Matcher>][] = [
  ['wasm router', async (c) => createRouter(compileTable(c.resolution).table)],
  ['reference matcher', async (c) => new ReferenceMatcher(c.resolution)],
];

for (const [implName, make] of implementations) {
  describe(implName, () => {
    for (const c of MATCHER_CASES) {
      describe(c.name, () => {
        let matcher: Matcher;
        beforeAll(async () => {
          matcher = await make(c);
          matcher.seed(42);
        });
        c.requests.forEach((r, i) => {
          const request: MatchRequest = { method: 'GET', host: 'example.org', port: 80, ...r.request };
          it(`#${i} ${request.method} ${request.host}${request.path} -> ${r.expect ?? '404'}`, () => {
            const d = matcher.match(request);
            if (r.expect === 'no-listener') {
              expect(d).toMatchObject({ matched: false, reason: 'no-listener' });
            } else if (r.expect === null) {
              expect(d).toMatchObject({ matched: false, reason: 'no-route' });
            } else {
              expect(d.matched && d.id).toBe(r.expect);
              if (!d.matched) return;
              expect(d.listener.port).toBe(request.port);
              if (r.outcome) expect(d.outcome).toBe(r.outcome);
              if (r.backend) expect(d.backend?.name).toBe(r.backend);
            }
          });
        });
      });
    }
  });
}
