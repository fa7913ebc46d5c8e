import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../src/diagnostics.js';
import { loadTexts } from '../src/load/load.js';
import { sleep } from '../spec-tests/support/echo/index.js';
import type { NodeGateway, ReloadInfo } from './index.js';
import type { ObjectSource } from './sources.js';
import { CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, serviceYaml, startGateway } from './test-support.js';
import { watchManifests, type ChangeHandler, type ManifestWatcher } from './watch.js';

const OFFSET = portOffset(15);
const base = [CLASS, gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`), serviceYaml('svc', [8080])];
const route = (name: string) => routeYaml(name, `  - matches: [{ path: { type: PathPrefix, value: /${name} } }]\n    backendRefs: [{ name: svc, port: 8080 }]`);
const manifests = (...routes: string[]) => [...base, ...routes.map(route)].join('---\n');

/** Objects from a string the test sets, changes announced by the test with a quiet period it settles. */
function textSource(text: string) {
  let read: string | undefined;
  let handler: ChangeHandler | undefined;
  const state = { text, loads: 0 };
  const source: ObjectSource = {
    description: 'test',
    rejectInvalid: true,
    async load() {
      state.loads++;
      read = state.text;
      return loadTexts([{ file: 'all.yaml', text: state.text }]);
    },
    changed: async () => state.text !== read,
    watch(onChange) {
      handler = onChange;
      return { ready: Promise.resolve(), close: async () => {} };
    },
  };
  let settle = () => {};
  const change = () => {
    const quiet = new Promise<void>((resolve) => (settle = resolve));
    return { run: handler!(quiet), settle: () => settle() };
  };
  return { state, source, change };
}

const routeNames = (gateway: NodeGateway) => [...new Set(gateway.current.manifest.rules.map((r) => r.name))].sort();

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await sleep(10);
}

let dir: ManifestDir | undefined;
let gateway: NodeGateway | undefined;
let watcher: ManifestWatcher | undefined;
afterEach(async () => {
  await watcher?.close();
  await gateway?.close();
  await dir?.remove();
  [dir, gateway, watcher] = [undefined, undefined, undefined];
});

async function watching(source: ObjectSource): Promise<{ gateway: NodeGateway; reloads: ReloadInfo[]; logs: string[] }> {
  dir = await ManifestDir.create();
  const started = await startGateway(dir, OFFSET, { paths: [], source, watch: true });
  gateway = started.gateway;
  const reloads: ReloadInfo[] = [];
  gateway.onReload((info) => reloads.push(info));
  return { gateway, reloads, logs: started.logs };
}

describe('reload on a watched change', () => {
  it('reads at once and serves what it read once the quiet period is over and the source still holds it', async () => {
    const t = textSource(manifests('a'));
    const { gateway, reloads } = await watching(t.source);
    const before = gateway.tableHash;
    t.state.text = manifests('a', 'b');
    const change = t.change();
    await until(() => t.state.loads === 2);
    expect(t.state.loads).toBe(2);
    await sleep(20);
    // Read, but nothing applied before the quiet period is over.
    expect(reloads).toEqual([]);
    expect(gateway.tableHash).toBe(before);
    change.settle();
    await change.run;
    expect(reloads).toMatchObject([{ changed: true, rejected: false }]);
    expect(routeNames(gateway)).toEqual(['a', 'b']);
    expect(t.state.loads).toBe(2);
  });

  it('reads again once the quiet period is over when the source changed after its read, and applies only that', async () => {
    const t = textSource(manifests('a'));
    const { gateway, reloads, logs } = await watching(t.source);
    // A file read half written: valid, but not what the files will hold.
    t.state.text = `${manifests('a')}---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: b, namespace: infra }\nspec:\n  rules: [{ matches: [{ path: { type: PathPrefix, value: /x } }] }]\n`;
    const change = t.change();
    await until(() => t.state.loads === 2);
    t.state.text = manifests('a', 'c');
    change.settle();
    await change.run;
    expect(t.state.loads).toBe(3);
    expect(reloads).toMatchObject([{ changed: true, rejected: false }]);
    expect(routeNames(gateway)).toEqual(['a', 'c']);
    expect(logs).toEqual([]);
  });

  it('reports nothing of an early read that is not kept, and rejects what the files hold once quiet', async () => {
    const t = textSource(manifests('a'));
    const { gateway, reloads, logs } = await watching(t.source);
    const before = gateway.tableHash;
    t.state.text = `${manifests('a')}---\nkind: [broken\n`;
    const change = t.change();
    await until(() => t.state.loads === 2);
    // The same error further down: its diagnostics tell the two reads apart.
    t.state.text = `${manifests('a')}---\n\n\n\nkind: [broken\n`;
    change.settle();
    await change.run;
    expect(reloads).toMatchObject([{ changed: false, rejected: true }]);
    expect(gateway.tableHash).toBe(before);
    const expected = loadTexts([{ file: 'all.yaml', text: t.state.text }]).diagnostics;
    expect(expected.length).toBeGreaterThan(0);
    expect(logs).toEqual([...expected.map(formatDiagnostic), `switchyard: manifests have errors, keeping table ${before}`]);
  });
});

describe('watchManifests', () => {
  it('runs on the first change with a quiet period that settles later', async () => {
    dir = await ManifestDir.create();
    const file = dir.file('all.yaml');
    await writeFile(file, 'a: 1\n');
    const runs: { settled: boolean }[] = [];
    watcher = watchManifests([dir.dir], async (quiet) => {
      const run = { settled: false };
      runs.push(run);
      const settledAt = quiet!.then(() => (run.settled = true));
      await Promise.resolve();
      expect(run.settled).toBe(false);
      await settledAt;
    });
    await watcher.ready;
    await writeFile(file, 'a: 2\n');
    await until(() => runs.some((r) => r.settled));
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs[0].settled).toBe(true);
  });

  it('asks after each run whether the paths changed unreported, and runs again when they did', async () => {
    dir = await ManifestDir.create();
    const file = dir.file('all.yaml');
    await writeFile(file, 'a: 1\n');
    let runs = 0;
    const answers = [true, false];
    let asked = 0;
    watcher = watchManifests(
      [dir.dir],
      async (quiet) => {
        runs++;
        await quiet;
      },
      { changed: async () => answers[asked++] ?? false },
    );
    await watcher.ready;
    await writeFile(file, 'a: 2\n');
    await until(() => asked >= 2);
    expect(asked).toBe(2);
    expect(runs).toBe(2);
  });
});
