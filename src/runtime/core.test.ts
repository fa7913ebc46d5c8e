import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTable } from '../compile/compile.js';
import * as F from '../compile/format.js';
import { ReferenceMatcher } from '../reference/matcher.js';
import { ResolutionBuilder } from './resolution-builder.js';
import { createRouter, loadCoreModule } from './router.js';
import { TableFormatError } from './table.js';

const GW = 'infra/gw';
const HTTP = `${GW}/http`;

function weighted(weights: number[]) {
  return new ResolutionBuilder()
    .gateway(GW, [{ name: 'http', port: 80 }])
    .httpRoute({ name: 'w', listeners: [HTTP], rules: [{ backends: weights.map((weight, i) => ({ name: `b${i}`, weight })) }] })
    .build();
}

describe('table format', () => {
  it('assembly/table.ts mirrors every constant of src/compile/format.ts it declares', () => {
    const as = readFileSync(new URL('../../assembly/table.ts', import.meta.url), 'utf8');
    const declared = [...as.matchAll(/export const (\w+): [iu]32 = ([^;]+);/g)];
    expect(declared.length).toBeGreaterThan(40);
    for (const [, name, expr] of declared) {
      const value = Function(`return (${expr.replace(/<[iu]32>/g, '')})`)() as number;
      expect([name, (F as Record<string, unknown>)[name]]).toEqual([name, value]);
    }
  });

  it('is deterministic: the same resolution compiles to identical bytes and hash', () => {
    const a = compileTable(weighted([1, 2, 3]));
    const b = compileTable(weighted([1, 2, 3]));
    expect(Buffer.from(a.table).equals(Buffer.from(b.table))).toBe(true);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.sha256).toBe(b.sha256);
    expect(compileTable(weighted([1, 2, 4])).sha256).not.toBe(a.sha256);
  });

  it('starts with the magic and the format version', () => {
    const { table } = compileTable(weighted([1]));
    const v = new DataView(table.buffer, table.byteOffset);
    expect(v.getUint32(0, true)).toBe(F.MAGIC);
    expect(new TextDecoder().decode(table.subarray(0, 4))).toBe('SWYD');
    expect(v.getUint32(4, true)).toBe(F.FORMAT_VERSION);
    expect(v.getUint32(8, true)).toBe(table.length);
  });

  it('createRouter refuses a table with another version or bad magic', async () => {
    const { table } = compileTable(weighted([1]));
    const wrongVersion = table.slice();
    new DataView(wrongVersion.buffer).setUint32(4, F.FORMAT_VERSION + 1, true);
    await expect(createRouter(wrongVersion)).rejects.toThrow(new RegExp(`format version ${F.FORMAT_VERSION + 1} is not supported`));
    const wrongMagic = table.slice();
    wrongMagic[0] = 0;
    await expect(createRouter(wrongMagic)).rejects.toThrow(TableFormatError);
    await expect(createRouter(table.slice(0, table.length - 4))).rejects.toThrow(/does not match its header/);
  });

  it('the core itself refuses a table it does not understand', async () => {
    const { table } = compileTable(weighted([1]));
    const core = (await WebAssembly.instantiate(await loadCoreModule(), {})).exports as unknown as {
      memory: WebAssembly.Memory;
      alloc(n: number): number;
      init(t: number, n: number, i: number): number;
    };
    const bad = table.slice();
    new DataView(bad.buffer).setUint32(4, 99, true);
    const ptr = core.alloc(bad.length);
    const input = core.alloc(4096);
    new Uint8Array(core.memory.buffer, ptr, bad.length).set(bad);
    expect(core.init(ptr, bad.length, input)).toBe(F.LOAD_BAD_VERSION);
    new Uint8Array(core.memory.buffer, ptr, 4).set([1, 2, 3, 4]);
    expect(core.init(ptr, bad.length, input)).toBe(F.LOAD_BAD_MAGIC);
    new Uint8Array(core.memory.buffer, ptr, bad.length).set(table.subarray(0, bad.length));
    expect(core.init(ptr, bad.length - 4, input)).toBe(F.LOAD_BAD_LENGTH);
    expect(core.init(ptr, bad.length, input)).toBe(F.LOAD_OK);
  });

  it('carries the host-facing manifest in the same blob', async () => {
    const { table, manifest } = compileTable(weighted([1, 0]));
    const router = await createRouter(table);
    expect(router.manifest).toEqual(manifest);
    expect(manifest.rules[0].backends.map((b) => [b.name, b.weight, b.service?.port])).toEqual([
      ['b0', 1, 8080],
      ['b1', 0, 8080],
    ]);
    expect(manifest.matches[0].id).toBe('httproute/default/w/rule/0/match/0');
  });
});

describe('weighted backends', () => {
  it('over 100,000 picks every share is within 1% of its weight, weight 0 never chosen, and core and reference pick alike', async () => {
    const resolution = weighted([1, 2, 0, 7]);
    const router = await createRouter(compileTable(resolution).table, { seed: 12345 });
    const reference = new ReferenceMatcher(resolution);
    reference.seed(12345);
    const counts = [0, 0, 0, 0];
    const request = { method: 'GET', host: 'x', path: '/', port: 80 };
    for (let i = 0; i < 100_000; i++) {
      const d = router.match(request);
      const r = reference.match(request);
      if (!d.matched || !r.matched) throw new Error('no match');
      if (d.backendIndex !== r.backendIndex) throw new Error(`pick ${i} differs: ${d.backendIndex} vs ${r.backendIndex}`);
      counts[d.backendIndex]++;
    }
    expect(counts[2]).toBe(0);
    for (const [i, w] of [1, 2, 0, 7].entries()) expect(Math.abs(counts[i] / 100_000 - w / 10)).toBeLessThan(0.01);
  });

  it('different seeds give different sequences; the same seed repeats', async () => {
    const { table } = compileTable(weighted([1, 1, 1, 1]));
    const run = async (seed: number) => {
      const router = await createRouter(table, { seed });
      return Array.from({ length: 32 }, () => {
        const d = router.match({ method: 'GET', host: 'x', path: '/', port: 80 });
        return d.matched ? d.backendIndex : -9;
      }).join('');
    };
    expect(await run(7)).toBe(await run(7));
    expect(await run(7)).not.toBe(await run(8));
  });
});

describe('table swaps', () => {
  it('a new table loads into a new instance; the old router keeps answering from its own table', async () => {
    const make = (path: string) =>
      compileTable(
        new ResolutionBuilder()
          .gateway(GW, [{ name: 'http', port: 80 }])
          .httpRoute({ name: 'r', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'Exact', value: path } }], backends: [{ name: 'v' }] }] })
          .build(),
      ).table;
    const oldRouter = await createRouter(make('/old'));
    const newRouter = await createRouter(make('/new'));
    const ask = (r: typeof oldRouter, path: string) => r.match({ method: 'GET', host: 'x', path, port: 80 }).matched;
    expect([ask(oldRouter, '/old'), ask(oldRouter, '/new')]).toEqual([true, false]);
    expect([ask(newRouter, '/old'), ask(newRouter, '/new')]).toEqual([false, true]);
  });
});

describe('regular expressions through the core', () => {
  const resolution = new ResolutionBuilder()
    .gateway(GW, [{ name: 'http', port: 80 }])
    .httpRoute({ name: 'evil', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'RegularExpression', value: '^/(a+)+$' } }], backends: [{ name: 'v' }] }] })
    .httpRoute({ name: 'bad', listeners: [HTTP], rules: [{ matches: [{ path: { type: 'RegularExpression', value: '/(unclosed' } }], backends: [{ name: 'v' }] }] })
    .build();

  it('a nested quantifier against 26 a + ! and a 64 KiB path answers (linear engine; timings in bench:match)', async () => {
    const router = await createRouter(compileTable(resolution).table);
    const reference = new ReferenceMatcher(resolution);
    for (const [path, matched] of [
      ['/' + 'a'.repeat(26) + '!', false],
      ['/' + 'a'.repeat(64 * 1024), true],
      ['/' + 'a'.repeat(64 * 1024) + '!', false],
    ] as const) {
      const request = { method: 'GET', host: 'x', path, port: 80 };
      expect(router.match(request).matched).toBe(matched);
      expect(reference.match(request).matched).toBe(matched);
    }
  });

  it('a pattern the engine rejects never matches and is reported', () => {
    const { manifest } = compileTable(resolution);
    expect(manifest.diagnostics).toHaveLength(1);
    expect(manifest.diagnostics[0]).toContain('httproute/default/bad/rule/0/match/0');
  });
});
