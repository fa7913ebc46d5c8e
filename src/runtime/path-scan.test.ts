/**
 * The core reads the request target 4 bytes at a time (hash, `/` boundaries, `?`): every path
 * length, `?` position and boundary position modulo 4 must give the reference answer.
 */
import { describe, expect, it } from 'vitest';
import { compileTable } from '../compile/compile.js';
import { keyHash, keyHashString } from '../compile/hash.js';
import { ReferenceMatcher } from '../reference/matcher.js';
import { ResolutionBuilder } from './resolution-builder.js';
import { createRouter } from './router.js';

describe('word-at-a-time path scan', () => {
  it('keyHashString equals keyHash of the UTF-8 bytes', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', '/api/v1/team5/svc51', 'é', '/é/x', 'x\u{1f600}y', 'A'.repeat(33)]) {
      expect(keyHashString(s)).toBe(keyHash(new TextEncoder().encode(s)));
    }
  });

  it('agrees with the reference for every prefix, Exact path and query position', async () => {
    const segments = ['a', 'bc', 'def', 'ghij', 'é', 'klmno'];
    const b = new ResolutionBuilder().gateway('ns/gw', [{ name: 'http', port: 80 }]);
    const paths: string[] = [];
    let p = '';
    segments.forEach((s, i) => {
      p += `/${s}`;
      paths.push(p);
      b.httpRoute({
        name: `r${i}`,
        listeners: ['ns/gw/http'],
        rules: [{ matches: [{ path: { type: i % 2 ? 'Exact' : 'PathPrefix', value: p } }] }, { matches: [{ path: { type: 'Exact', value: `${p}/x` } }] }],
      });
    });
    const resolution = b.build();
    const router = await createRouter(compileTable(resolution).table);
    const reference = new ReferenceMatcher(resolution);
    const targets = new Set<string>();
    for (const path of paths) {
      for (const extra of ['', '/', '/x', 'x', '/x/y', 'zz/']) {
        const t = path + extra;
        targets.add(t);
        for (let q = 0; q <= t.length; q++) targets.add(`${t.slice(0, q)}?${t.slice(q)}`);
      }
    }
    for (const target of targets) {
      const request = { method: 'GET', host: 'h', path: target, port: 80 };
      const a = router.match(request);
      const r = reference.match(request);
      expect(a.matched ? a.id : a.reason, target).toBe(r.matched ? r.id : r.reason);
    }
  });
});
