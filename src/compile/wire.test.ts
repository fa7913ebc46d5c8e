import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../pipeline.js';
import { ResolutionBuilder } from '../runtime/resolution-builder.js';
import { readManifest } from '../runtime/table.js';
import type { Resolution } from '../resolve/types.js';
import { describeRule } from './backends.js';
import { compileTable } from './compile.js';
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

describe('compact manifest (format 2)', () => {
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
