import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoadCache } from './cache.js';
import { BrokenTextError } from './documents.js';
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

  it('tells whether a load would read something else than the last one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-cache-'));
    const file = join(dir, 'all.yaml');
    const cache = createLoadCache();
    await writeFile(file, ns('a'));
    await cache.load([dir]);
    const parses = cache.documentParses;
    expect(await cache.changed([dir])).toBe(false);
    // Rewritten with other text of the same size, within the timestamps' resolution.
    const { mtime } = await stat(file);
    await writeFile(file, ns('b'));
    await utimes(file, mtime, mtime);
    expect(await cache.changed([dir])).toBe(true);
    await cache.load([dir]);
    expect(await cache.changed([dir])).toBe(false);
    // The same text written again reads the same.
    await writeFile(file, ns('b'));
    expect(await cache.changed([dir])).toBe(false);
    await writeFile(join(dir, 'more.yaml'), ns('c'));
    expect(await cache.changed([dir])).toBe(true);
    await cache.load([dir]);
    await rm(join(dir, 'more.yaml'));
    expect(await cache.changed([dir])).toBe(true);
    await rm(dir, { recursive: true });
    expect(await cache.changed([dir])).toBe(true);
    // Nothing parsed by asking.
    expect(cache.documentParses).toBe(parses + 2);
  });

  it('reuses the parses of the read before a file read half written', async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-cache-'));
    const file = join(dir, 'all.yaml');
    const cache = createLoadCache();
    await writeFile(file, [ns('a'), ns('b'), ns('c')].join('---\n'));
    await cache.load([dir]);
    // Truncated, then written complete with one more document.
    await writeFile(file, '');
    expect((await cache.load([dir])).objects).toEqual([]);
    const parses = cache.documentParses;
    await writeFile(file, [ns('a'), ns('b'), ns('c'), ns('d')].join('---\n'));
    const full = await cache.load([dir]);
    expect(cache.documentParses - parses).toBe(1);
    expect(plain(full)).toEqual(plain(await loadPaths([dir])));
  });

  it('ends a tentative load at a broken document without parsing the file whole', async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-cache-'));
    const file = join(dir, 'all.yaml');
    const cache = createLoadCache();
    await writeFile(file, [ns('a'), ns('b')].join('---\n'));
    await cache.load([dir]);
    await writeFile(file, [ns('a'), ns('b'), 'kind: [cut'].join('---\n'));
    const parses = cache.parses;
    await expect(cache.load([dir], undefined, { tentative: true })).rejects.toBeInstanceOf(BrokenTextError);
    expect(cache.parses).toBe(parses);
    const full = await cache.load([dir]);
    expect(full.diagnostics).toHaveLength(1);
    expect(plain(full)).toEqual(plain(await loadPaths([dir])));
  });
});
