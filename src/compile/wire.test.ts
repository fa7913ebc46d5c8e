import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../pipeline.js';
import { ResolutionBuilder } from '../runtime/resolution-builder.js';
import { manifestReader, readManifest } from '../runtime/table.js';
import type { Resolution } from '../resolve/types.js';
import { describeRule } from './backends.js';
import { compileTable } from './compile.js';
import { RULE_TEXT_BLOCK } from './format.js';
import { createRouter } from '../runtime/router.js';
import { flattenMatches } from './matches.js';

/** Every decoded rule equals describeRule of its route; every match names its rule and exists in the route. */
function expectFaithful(resolution: Pick<Resolution, 'gateways'>, table: Uint8Array): void {
  const manifest = readManifest(table);
  const attached = new Map<string, Resolution['gateways'][number]['listeners'][number]['routes'][number]>();
  for (const g of resolution.gateways) for (const l of g.listeners) for (const r of l.routes) attached.set(`${r.route.kind}/${r.route.metadata.namespace ?? 'default'}/${r.route.metadata.name}`, r);
  for (const rule of manifest.rules) expect(rule).toEqual(describeRule(attached.get(`${rule.kind}/${rule.namespace}/${rule.name}`)!, rule.ruleIndex));
  for (const m of manifest.matches) {
    const rule = manifest.rules[m.rule];
    expect([m.kind, m.namespace, m.name, m.ruleIndex]).toEqual([rule.kind, rule.namespace, rule.name, rule.ruleIndex]);
    const ids = flattenMatches(attached.get(`${m.kind}/${m.namespace}/${m.name}`)!).map((s) => s.id);
    expect(ids).toContain(m.id);
  }
}

describe('compact manifest', () => {
  it('expands to exactly the compiler manifest for the bundled examples', async () => {
    const result = await resolvePaths(['examples/']);
    const compiled = compileTable(result.resolution);
    expect(compiled.manifest.rules.length).toBeGreaterThan(0);
    expect(readManifest(compiled.table)).toEqual(compiled.manifest);
    expectFaithful(result.resolution, compiled.table);
  });

  it('keeps backends that are not plain Service references, rule extras and gRPC rules', () => {
    const resolution = new ResolutionBuilder()
      .gateway('ns/gw', [{ name: 'http', port: 80 }])
      .httpRoute({
        namespace: 'app',
        name: 'web',
        listeners: ['ns/gw/http'],
        rules: [
          {
            name: 'main',
            matches: [{ path: { type: 'PathPrefix', value: '/v1/' } }, { path: { type: 'RegularExpression', value: '/img/[a-z]+' } }],
            filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: 'y' }] } }],
            backends: [{ name: 'a', weight: 3 }, { name: 'b', namespace: 'other', weight: 1 }, { name: 'gone', problem: 'BackendNotFound' }],
          },
          { matches: [{ path: { type: 'Exact', value: '/é' } }], backends: [] },
        ],
      })
      .grpcRoute({ name: 'rpc', listeners: ['ns/gw/http'], rules: [{ matches: [{ method: { service: 'pkg.Svc' } }], backends: [{ name: 'g' }] }] })
      .build();
    const compiled = compileTable(resolution);
    const manifest = readManifest(compiled.table);
    expect(manifest).toEqual(compiled.manifest);
    expectFaithful(resolution, compiled.table);
    expect(manifest.rules[0].matchPaths).toEqual([
      { type: 'PathPrefix', value: '/v1/' },
      { type: 'RegularExpression', value: '/img/[a-z]+' },
    ]);
    expect(manifest.rules[1].matchPaths).toEqual([{ type: 'Exact', value: '/é' }]);
  });

  it('stores far fewer bytes per simple route than the expanded manifest', () => {
    const b = new ResolutionBuilder().gateway('ns/gw', [{ name: 'http', port: 80 }]);
    for (let i = 0; i < 200; i++) b.httpRoute({ name: `r${i}`, listeners: ['ns/gw/http'], rules: [{ matches: [{ path: { type: 'Exact', value: `/svc${i}` } }], backends: [{ name: `svc${i}` }] }] });
    const compiled = compileTable(b.build());
    const expanded = new TextEncoder().encode(JSON.stringify(compiled.manifest)).length; // the format-1 manifest
    const view = new DataView(compiled.table.buffer, compiled.table.byteOffset);
    const stored = view.getUint32(13 * 4, true);
    expect(stored * 5).toBeLessThan(expanded);
  });
});

describe('compact manifest route table', () => {
  it('maps rules of interleaved routes to the right route', () => {
    const b = new ResolutionBuilder().gateway('ns/gw', [{ name: 'a', port: 80 }, { name: 'b', port: 81 }]);
    b.httpRoute({ name: 'one', listeners: ['ns/gw/a', 'ns/gw/b'], rules: [{ matches: [{ path: { type: 'Exact', value: '/1' } }] }, { matches: [{ path: { type: 'Exact', value: '/2' } }] }] });
    b.httpRoute({ name: 'two', listeners: ['ns/gw/a'], rules: [{ matches: [{ path: { type: 'Exact', value: '/3' } }] }] });
    const resolution = b.build();
    const compiled = compileTable(resolution);
    expect(readManifest(compiled.table)).toEqual(compiled.manifest);
    expectFaithful(resolution, compiled.table);
    expect(compiled.manifest.matches.map((m) => m.id)).toEqual([
      'httproute/default/one/rule/0/match/0',
      'httproute/default/one/rule/1/match/0',
      'httproute/default/two/rule/0/match/0',
    ]);
  });
});

describe('compact rule texts and match records', () => {
  it('expands every text form in every text block: derived and written paths, shared and weighted backends', () => {
    const b = new ResolutionBuilder().gateway('ns/gw', [{ name: 'http', port: 80 }]);
    const n = RULE_TEXT_BLOCK * 2 + 5;
    for (let i = 0; i < n; i++) {
      const kind = i % 5;
      b.httpRoute({
        namespace: i % 7 === 0 ? 'other' : 'default',
        name: `route-${i}`,
        listeners: ['ns/gw/http'],
        rules: [
          {
            matches: [
              kind === 0
                ? { path: { type: 'PathPrefix', value: `/written/${i}/` } } // not normalised: the text keeps it
                : kind === 1
                  ? { path: { type: 'RegularExpression', value: `/re/${i}/[0-9]+` } }
                  : { path: { type: kind === 2 ? 'Exact' : 'PathPrefix', value: `/api/v1/team${i % 3}/svc${i}` } },
            ],
            backends:
              kind === 3
                ? [{ name: 'shared' }]
                : kind === 4
                  ? [{ name: `own${i}`, weight: 3 }, { name: 'shared', weight: 0 }]
                  : kind === 2
                    ? [{ name: i === 2 ? '42' : `svc${i}`, port: 9090 }] // not the usual port; a name of digits only
                    : [{ name: `svc${i}` }],
          },
          ...(i % 4 === 0 ? [{ matches: [{ path: { type: 'Exact' as const, value: `/second/${i}` } }], backends: [] }] : []),
        ],
      });
    }
    const resolution = b.build();
    const compiled = compileTable(resolution);
    expectFaithful(resolution, compiled.table);
    // Expanding one rule at a time (the router's path), last first, agrees with expanding them all at once.
    const all = readManifest(compiled.table).rules;
    const reader = manifestReader(compiled.table);
    for (let i = all.length - 1; i >= 0; i--) expect(reader.rule(i)).toEqual(all[i]);
    expect(all.find((r) => r.name === 'route-5')!.matchPaths).toEqual([{ type: 'PathPrefix', value: '/written/5/' }]);
    expect(all.find((r) => r.name === 'route-4')!.backends.map((x) => [x.name, x.port, x.weight])).toEqual([['own4', 8080, 3], ['shared', 8080, 0]]);
    expect(all.find((r) => r.name === 'route-2')!.backends.map((x) => [x.name, x.port])).toEqual([['42', 9090]]);
    expect(all.find((r) => r.name === 'route-7')!.backends.map((x) => [x.name, x.port])).toEqual([['svc7', 9090]]);
  });

  it('a match in no path map (rejected regular expression) keeps the written paths of its rule', () => {
    const resolution = new ResolutionBuilder()
      .gateway('ns/gw', [{ name: 'http', port: 80 }])
      .httpRoute({
        name: 'bad',
        listeners: ['ns/gw/http'],
        rules: [{ matches: [{ path: { type: 'Exact', value: '/ok' } }, { path: { type: 'Exact', value: '/x' }, headers: [{ type: 'RegularExpression', name: 'h', value: '(' }] }] }],
      })
      .build();
    const compiled = compileTable(resolution);
    expect(compiled.manifest.diagnostics.length).toBe(1);
    expect(readManifest(compiled.table).rules[0].matchPaths).toEqual([
      { type: 'Exact', value: '/ok' },
      { type: 'Exact', value: '/x' },
    ]);
    expectFaithful(resolution, compiled.table);
  });

  it('match indices beyond the inline 7 bits move to the extension record and still identify the match', async () => {
    const matches = Array.from({ length: 140 }, (_, j) => ({ path: { type: 'Exact' as const, value: `/m/${j}` } }));
    const resolution = new ResolutionBuilder().gateway('ns/gw', [{ name: 'http', port: 80 }]).httpRoute({ name: 'many', listeners: ['ns/gw/http'], rules: [{ matches, backends: [{ name: 'a' }] }] }).build();
    const compiled = compileTable(resolution);
    expectFaithful(resolution, compiled.table);
    const router = await createRouter(compiled.table);
    for (const j of [0, 127, 128, 139]) {
      const d = router.match({ method: 'GET', host: 'h', path: `/m/${j}`, port: 80 });
      expect(d.matched && [d.matchIndex, d.id, d.rule.matchPaths![j].value]).toEqual([j, `httproute/default/many/rule/0/match/${j}`, `/m/${j}`]);
    }
  });
});

describe('path map keys with a shared prefix', () => {
  it('compares the shared prefix and the rest: equal-length keys differing on either side miss', async () => {
    const b = new ResolutionBuilder().gateway('ns/gw', [{ name: 'http', port: 80 }]);
    for (let i = 10; i < 30; i++) {
      b.httpRoute({ name: `e${i}`, listeners: ['ns/gw/http'], rules: [{ matches: [{ path: { type: 'Exact', value: `/api/v1/team1/svc${i}/status` } }], backends: [{ name: 's' }] }] });
      b.httpRoute({ name: `p${i}`, listeners: ['ns/gw/http'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: `/api/v1/team2/svc${i}` } }], backends: [{ name: 's' }] }] });
    }
    const compiled = compileTable(b.build());
    // The common part is stored once: far fewer bytes than 40 full keys.
    const text = new TextDecoder('latin1').decode(compiled.table);
    expect(text.split('/api/v1/team1/').length - 1).toBe(1);
    const router = await createRouter(compiled.table);
    const name = (path: string): string | null => {
      const d = router.match({ method: 'GET', host: 'h', path, port: 80 });
      return d.matched ? d.route.name : null;
    };
    expect(name('/api/v1/team1/svc17/status')).toBe('e17');
    expect(name('/api/v1/team1/svc17/statux')).toBeNull(); // rest differs
    expect(name('/api/v1/teamX/svc17/status')).toBeNull(); // shared part differs, same length
    expect(name('/api/v1/team2/svc17/a/b')).toBe('p17');
    expect(name('/api/v1/team2/svc17')).toBe('p17');
    expect(name('/api/v1/team2/svc17x')).toBeNull();
    expect(name('/api/v1/team3/svc17')).toBeNull();
    expect(router.manifest.rules.find((r) => r.name === 'p17')!.matchPaths).toEqual([{ type: 'PathPrefix', value: '/api/v1/team2/svc17' }]);
  });
});
