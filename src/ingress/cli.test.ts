/**
 * `switchyard convert` end to end: YAML on stdout that `switchyard validate` accepts, the
 * report on stderr, usage errors for a malformed --gateway.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_OK, EXIT_USAGE, runCli } from '../cli/main.js';

const IN = fileURLToPath(new URL('./testdata/annotations.in.yaml', import.meta.url));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('switchyard convert', () => {
  it('writes objects that validate, and the report', async () => {
    const r = await run('convert', IN, '--gateway', 'edge/public', '--gateway-class', 'public', '--ingress-https', '8443');
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toContain('name: public\n  namespace: edge');
    expect(r.stdout).toContain('gatewayClassName: public');
    expect(r.stdout).toContain('port: 8443');
    expect(r.stderr).toMatch(/auth-url: dropped: never executed/);
    expect(r.stderr).toMatch(/\d+ converted, \d+ approximated, \d+ dropped/);
    const file = join(mkdtempSync(join(tmpdir(), 'convert-')), 'out.yaml');
    writeFileSync(file, r.stdout);
    const v = await run('validate', file);
    expect(v.code).toBe(EXIT_OK);
    expect(v.stderr).toMatch(/^\d+ objects valid, 0 errors\n$/);
  });

  it('attaches to a Gateway of the input without writing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convert-'));
    const gw = join(dir, 'gw.yaml');
    writeFileSync(gw, 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: public, namespace: edge }\nspec:\n  gatewayClassName: x\n  listeners: [{ name: web, port: 80, protocol: HTTP }]\n');
    const r = await run('convert', IN, gw, '--gateway', 'edge/public', '-o', 'json');
    const list = JSON.parse(r.stdout) as { items: { kind: string; spec: { parentRefs?: { sectionName: string }[] } }[] };
    expect(list.items.some((o) => o.kind === 'Gateway')).toBe(false);
    expect(list.items.filter((o) => o.kind === 'HTTPRoute').flatMap((o) => o.spec.parentRefs!.map((p) => p.sectionName))).toContain('web');
    expect(r.stderr).toContain('add the Secrets apps/app-tls');
  });

  it('refuses a --gateway that is not namespace/name', async () => {
    const r = await run('convert', IN, '--gateway', 'public');
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('expected namespace/name');
  });
});
