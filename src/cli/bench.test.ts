import { describe, expect, it } from 'vitest';
import { EXIT_OK, EXIT_USAGE, runCli } from './main.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('switchyard bench', () => {
  it('runs on the bundled examples and prints lookups/s and latency', async () => {
    const r = await run('bench', 'examples/', '--requests', '5000');
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^matches: \d+ \(\d+ with a generated request\)$/m);
    expect(r.stdout).toMatch(/^lookups: 5000 in [\d.]+ s$/m);
    expect(r.stdout).toMatch(/^lookups\/s: \d+$/m);
    expect(r.stdout).toMatch(/^p50 match latency: [\d.]+ µs$/m);
    expect(r.stdout).toMatch(/^p99 match latency: [\d.]+ µs$/m);
    expect(r.stderr).toMatch(/requests generated for \d+ matches/);
  });

  it('covers every match of the examples and reports JSON', async () => {
    const r = await run('bench', 'examples/', '--time', '50', '-o', 'json');
    expect(r.code).toBe(EXIT_OK);
    const report = JSON.parse(r.stdout);
    expect(report.matches).toBeGreaterThan(0);
    expect(report.covered).toBe(report.matches);
    expect(report.uncovered).toEqual([]);
    expect(report.lookups).toBeGreaterThan(0);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['lookupsPerSecond', 'p50Micros', 'p99Micros']));
  });

  it('refuses a bad --requests value and manifests without routes', async () => {
    expect((await run('bench', 'examples/', '--requests', '0')).code).toBe(EXIT_USAGE);
    const empty = await run('bench', 'examples/00-gateway.yaml', '--requests', '10');
    expect(empty.code).toBe(EXIT_USAGE);
    expect(empty.stderr).toMatch(/no request could be generated/);
  });
});
