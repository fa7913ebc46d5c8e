import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoadCache } from './cache.js';
import { loadPaths, type LoadResult } from './load.js';

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

/** A load without the origins' functions. */
const plain = (r: LoadResult) => ({
  objects: r.objects.map((o) => ({ object: o.object, seq: o.seq, position: o.origin.position, at: o.origin.locate(['metadata', 'name']) })),
  diagnostics: r.diagnostics,
});

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('createLoadCache', () => {
  it('parses again only the documents of a file whose text changed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-cache-'));
    const file = join(dir, 'all.yaml');
    const cache = createLoadCache();
    await writeFile(file, [ns('a'), ns('b'), ns('c')].join('---\n'));
    await cache.load([dir]);
    expect([cache.parses, cache.documentParses]).toEqual([1, 3]);
    // A document inserted, one changed into a syntax error: both parsed, then (the error) the
    // whole file, which gives the diagnostics of a cold load.
    await writeFile(file, [ns('a'), ns('new'), ns('b'), 'kind: [broken\n'].join('---\n'));
    const second = await cache.load([dir]);
    expect([cache.parses, cache.documentParses]).toEqual([2, 6]);
    expect(second.diagnostics).toHaveLength(1);
    expect(plain(second)).toEqual(plain(await loadPaths([dir])));
    // Fixed: only the changed document is parsed.
    await writeFile(file, [ns('a'), ns('new'), ns('b'), ns('d')].join('---\n'));
    const third = await cache.load([dir]);
    expect(cache.documentParses).toBe(7);
    expect(plain(third)).toEqual(plain(await loadPaths([dir])));
    expect(third.objects.map((o) => o.object.metadata.name)).toEqual(['a', 'new', 'b', 'd']);
  });
});
