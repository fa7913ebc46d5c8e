/**
 * Smoke test of the process benchmarks (bench/proxy, bench/edge, bench/reload): each runs for
 * a tiny duration on a small table, writes no results file, and must produce its rows. No
 * timing is asserted.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-smoke-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bench(name: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  const out = join(dir, `${name}.json`);
  await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, `bench/${name}/run.ts`)], {
    cwd: ROOT,
    env: { ...process.env, ...env, RESULTS: '', JSON_OUT: out, PIN: '0' },
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
}

describe.concurrent('benchmarks (smoke)', () => {
  it('proxy: every target answers and gets a CPU-per-request figure', async () => {
    const r = (await bench('proxy', { ROUTES: '100', DURATION: '1', WARMUP: '0', ROUNDS: '1', CONNECTIONS: '4', MAX_REQUESTS: '2000' })) as {
      results: { name: string; installed: boolean; runs: { load: { requests: number; errors: number }; cpuPerRequest: number; matchNsPerRequest?: number }[] }[];
    };
    const names = r.results.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['direct', 'gateway', 'undici', 'fastify', 'nginx']));
    for (const t of r.results.filter((x) => x.installed)) {
      expect(t.runs).toHaveLength(1);
      expect(t.runs[0].load.requests).toBeGreaterThan(0);
      expect(t.runs[0].load.errors).toBe(0);
      expect(t.runs[0].cpuPerRequest).toBeGreaterThan(0);
    }
    expect(r.results.find((t) => t.name === 'gateway')!.runs[0].matchNsPerRequest).toBeGreaterThan(0);
  }, 90_000);

  it('edge: bundles, cold-starts and loads both workers', async () => {
    const r = (await bench('edge', { ROUTE_SIZES: '100', DURATION: '1', ROUNDS: '1', COLD: '1', CONNECTIONS: '4', MAX_REQUESTS: '1000' })) as {
      builds: { name: string; bytes: number }[];
      cpu: Record<string, { requests: number; cpuPerRequest: number }[]>;
      cold: Record<string, { firstMs: number }[]>;
    };
    expect(r.builds.map((b) => b.name)).toEqual(['forwarder', 'switchyard-100']);
    for (const b of r.builds) expect(b.bytes).toBeGreaterThan(0);
    for (const name of ['forwarder', 'switchyard-100']) {
      expect(r.cpu[name][0].requests).toBeGreaterThan(0);
      expect(r.cold[name]).toHaveLength(1);
    }
  }, 90_000);

  it('reload: the watched gateway serves an added route, and reports memory', async () => {
    const r = (await bench('reload', { ROUTE_SIZES: '100', REPEATS: '1', LOAD_SECONDS: '1' })) as {
      sizes: { n: number; watchMs: number[]; reloadMs: number[]; rssServing: number }[];
    };
    expect(r.sizes).toHaveLength(1);
    expect(r.sizes[0].watchMs).toHaveLength(1);
    expect(r.sizes[0].reloadMs).toHaveLength(1);
    expect(r.sizes[0].rssServing).toBeGreaterThan(0);
  }, 90_000);
});
