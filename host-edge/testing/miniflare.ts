/**
 * Runs an edge worker inside workerd for tests, offline: the entry is bundled by
 * `wrangler deploy --dry-run` (the production bundler, wasm kept as a CompiledWasm module) and
 * served by Miniflare on a loopback port, with the SWITCHYARD_TABLE KV namespace in memory.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import type { KVNamespaceLike } from '../platform.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Keeps wrangler and Miniflare offline and quiet (no telemetry, no cf.json fetch, no update check). */
export const OFFLINE_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' } as const;
Object.assign(process.env, OFFLINE_ENV);

export const COMPATIBILITY_DATE = '2026-04-20';

export interface Bundle {
  dir: string;
  /** The entry module. */
  script: string;
  /** Bytes of every file wrangler would upload (JS, wasm, data), source maps excluded. */
  bytes: number;
  remove(): Promise<void>;
}

/** Bundles `entry` (relative to the repository) with wrangler; `wrangler` extra arguments (e.g. `--config`). */
export async function bundleWorker(entry: string, extraArgs: readonly string[] = []): Promise<Bundle> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-edge-'));
  const wrangler = join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js');
  await promisify(execFile)(
    process.execPath,
    [wrangler, 'deploy', entry, '--dry-run', '--outdir', dir, '--name', 'switchyard-edge-test', '--compatibility-date', COMPATIBILITY_DATE, ...extraArgs],
    { cwd: REPO_ROOT, env: { ...process.env, ...OFFLINE_ENV }, timeout: 120_000 },
  );
  const files = await readdir(dir);
  const script = files.find((f) => f.endsWith('.js'));
  if (!script) throw new Error(`wrangler produced no script in ${dir}: ${files.join(', ')}`);
  let bytes = 0;
  for (const f of files) if (!f.endsWith('.map') && f !== 'README.md') bytes += (await stat(join(dir, f))).size;
  return { dir, script: join(dir, script), bytes, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface EdgeWorker {
  /** `http://127.0.0.1:<port>/` */
  url: URL;
  kv: KVNamespaceLike;
  dispatchFetch(url: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * The bundle's files as Miniflare modules, listed rather than discovered: Miniflare's import
 * walker refuses dynamic imports (the router's Node-only default-module loader has one, never
 * taken in a worker), while workerd resolves them only when they run.
 */
async function bundleModules(bundle: Bundle): Promise<{ type: 'ESModule' | 'CompiledWasm' | 'Data'; path: string; contents: Uint8Array }[]> {
  const files = (await readdir(bundle.dir)).filter((f) => f.endsWith('.js') || f.endsWith('.wasm') || f.endsWith('.bin'));
  // The entry module comes first.
  files.sort((a, b) => Number(join(bundle.dir, b) === bundle.script) - Number(join(bundle.dir, a) === bundle.script));
  return Promise.all(
    files.map(async (f) => ({
      type: f.endsWith('.js') ? ('ESModule' as const) : f.endsWith('.wasm') ? ('CompiledWasm' as const) : ('Data' as const),
      path: join(bundle.dir, f),
      contents: new Uint8Array(await readFile(join(bundle.dir, f))),
    })),
  );
}

export async function startWorker(bundle: Bundle, bindings: Record<string, string> = {}): Promise<EdgeWorker> {
  const mf = new Miniflare({
    modules: await bundleModules(bundle),
    modulesRoot: bundle.dir,
    compatibilityDate: COMPATIBILITY_DATE,
    kvNamespaces: ['SWITCHYARD_TABLE'],
    bindings,
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  const kv = (await mf.getKVNamespace('SWITCHYARD_TABLE')) as unknown as KVNamespaceLike;
  return {
    url,
    kv,
    dispatchFetch: (u, init) => mf.dispatchFetch(u, init as never) as unknown as Promise<Response>,
    dispose: () => mf.dispose(),
  };
}
