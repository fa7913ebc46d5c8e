import { rm, utimes } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoadCache } from '../src/load/cache.js';
import { loadPaths, type LoadResult } from '../src/load/load.js';
import { ValidationMemo } from '../src/validate/index.js';
import { takeSnapshot } from './snapshot.js';
import { CLASS, gatewayYaml, ManifestDir, routeYaml, serviceYaml } from './test-support.js';

const LISTENER = `    - { name: http, port: 80, protocol: HTTP }`;
const route = (name: string, path: string) => routeYaml(name, `  - matches: [{ path: { type: PathPrefix, value: ${path} } }]\n    backendRefs: [{ name: svc, port: 8080 }]`);

/** What a load yields, without the origins' functions. */
function plain(r: LoadResult) {
  return {
    objects: r.objects.map((o) => ({ object: o.object, kind: o.info.kind, seq: o.seq, file: o.origin.file, at: o.origin.locate([]) })),
    diagnostics: r.diagnostics,
  };
}

const snapshot = (dir: ManifestDir, load?: () => Promise<LoadResult>, validation?: ValidationMemo) =>
  takeSnapshot({ paths: [dir.dir], ...(load ? { load } : {}), ...(validation ? { validation } : {}), controllerName: 'switchyard.dev/gateway-controller', portOffset: 0, bind: '127.0.0.1', addressFor: () => '127.0.0.1' });

let dir: ManifestDir | undefined;
afterEach(async () => {
  await dir?.remove();
  dir = undefined;
});

describe('incremental reload', () => {
  it('re-parses only the changed file and yields what a cold start on the same files does', async () => {
    dir = await ManifestDir.create();
    const d = dir;
    await d.write('a.yaml', CLASS, gatewayYaml('gw', LISTENER), serviceYaml('svc', [8080]));
    await d.write('b.yaml', route('r1', '/one'), route('r2', '/two'));
    const cache = createLoadCache();
    const memo = new ValidationMemo();
    const load = () => cache.load([d.dir]);

    const first = await snapshot(d, load, memo);
    expect(cache.parses).toBe(2);
    expect(first.rejected).toBe(false);
    expect(first.table.sha256).toBe((await snapshot(d)).table.sha256);

    // Nothing changed: nothing is parsed again.
    await snapshot(d, load, memo);
    expect(cache.parses).toBe(2);

    // b.yaml gains a route ahead of the others: only it is parsed again, and load order,
    // objects and table are those of a cold start.
    await d.write('b.yaml', route('r0', '/zero'), route('r1', '/one'), route('r2', '/two'));
    const second = await snapshot(d, load, memo);
    expect(cache.parses).toBe(3);
    const cold = await snapshot(d);
    expect(second.rejected).toBe(false);
    expect(second.table.sha256).toBe(cold.table.sha256);
    expect(second.table.sha256).not.toBe(first.table.sha256);
    expect(second.result.objects.map((o) => [o.object.metadata.name, o.seq])).toEqual(cold.result.objects.map((o) => [o.object.metadata.name, o.seq]));
    expect(second.result.diagnostics).toEqual(cold.result.diagnostics);

    // a.yaml changes ahead of b.yaml: b.yaml's objects move in load order without a parse.
    await d.write('a.yaml', CLASS, gatewayYaml('gw', LISTENER), serviceYaml('svc', [8080]), serviceYaml('other', [8081]));
    const third = await snapshot(d, load, memo);
    expect(cache.parses).toBe(4);
    expect(plain(await load())).toEqual(plain(await loadPaths([d.dir])));
    expect(third.table.sha256).toBe((await snapshot(d)).table.sha256);
    expect(third.result.objects.map((o) => o.seq)).toEqual((await snapshot(d)).result.objects.map((o) => o.seq));
  });

  it('sees a same-size rewrite that keeps the modification time', async () => {
    dir = await ManifestDir.create();
    const cache = createLoadCache();
    const path = await dir.write('r.yaml', route('r1', '/one'));
    const before = (await cache.load([path])).objects[0];
    // Old enough for the stat to be trusted, then rewritten with the same size and times.
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    await cache.load([path]);
    await dir.write('r.yaml', route('r1', '/two'));
    await utimes(path, old, old);
    const after = (await cache.load([path])).objects[0];
    expect(JSON.stringify(after?.object)).not.toBe(JSON.stringify(before?.object));
    expect(JSON.stringify(after?.object)).toContain('/two');
  });

  it('leaves out files that are gone and keeps diagnostics in file order', async () => {
    dir = await ManifestDir.create();
    const d = dir;
    const cache = createLoadCache();
    await d.write('a.yaml', 'kind: [');
    await d.write('b.yaml', route('r1', '/one'));
    await d.write('c.yaml', 'apiVersion: v1\n');
    expect(plain(await cache.load([d.dir]))).toEqual(plain(await loadPaths([d.dir])));
    await rm(d.file('a.yaml'));
    expect(plain(await cache.load([d.dir]))).toEqual(plain(await loadPaths([d.dir])));
    await d.remove();
    await expect(cache.load([d.dir])).rejects.toThrow(/no such file or directory/);
  });
});
