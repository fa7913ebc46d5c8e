/**
 * Golden conversions: testdata/<case>.in.yaml -> <case>.out.yaml (stdout of `convert`) and
 * <case>.report.txt (its report). UPDATE_GOLDEN=1 rewrites the expected files. Every output
 * must pass validation.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPaths, loadTexts } from '../load/load.js';
import { validate } from '../validate/index.js';
import { convertObjects, renderConversion } from './convert.js';
import { formatReport } from './report.js';

const DIR = fileURLToPath(new URL('./testdata/', import.meta.url));
const cases = readdirSync(DIR).filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length)).sort();

async function convertCase(name: string) {
  const loaded = await loadPaths([join(DIR, `${name}.in.yaml`)]);
  const validated = validate(loaded.objects);
  expect([...loaded.diagnostics, ...validated.diagnostics].filter((d) => d.severity === 'error')).toEqual([]);
  const conversion = convertObjects(validated.objects);
  return { yaml: renderConversion(conversion.objects, 'yaml'), report: formatReport(conversion.report), conversion };
}

function golden(file: string, actual: string): void {
  const path = join(DIR, file);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('convert: golden files', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });

  it.each(cases)('%s', async (name) => {
    const { yaml, report } = await convertCase(name);
    golden(`${name}.out.yaml`, yaml);
    golden(`${name}.report.txt`, report);
    const reloaded = loadTexts([{ file: `${name}.out.yaml`, text: yaml }]);
    const valid = validate(reloaded.objects);
    expect([...reloaded.diagnostics, ...valid.diagnostics]).toEqual([]);
    expect(valid.objects.length).toBe(reloaded.objects.length);
    expect(valid.objects.some((o) => o.object.kind === 'HTTPRoute')).toBe(true);
  });
});

describe('convert: what the report says', () => {
  it('never executes snippets or external auth, and reports them dropped', async () => {
    const { conversion } = await convertCase('annotations');
    const dropped = conversion.report.filter((e) => e.outcome === 'dropped').map((e) => e.annotation ?? e.field);
    expect(dropped).toContain('nginx.ingress.kubernetes.io/auth-url');
    expect(dropped).toContain('nginx.ingress.kubernetes.io/server-snippet');
    expect(JSON.stringify(conversion.objects)).not.toContain('auth.example.com');
    expect(JSON.stringify(conversion.objects)).not.toContain('return 200');
  });

  it('maps the rewrite capture idiom to ReplacePrefixMatch and refuses other captures', async () => {
    const { conversion } = await convertCase('annotations');
    const app = conversion.objects.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'app') as unknown as { spec: { rules: { matches: { path: { type: string; value: string } }[]; filters?: { type: string; urlRewrite?: unknown }[] }[] } };
    const api = app.spec.rules.find((r) => r.matches[0].path.value === '/api')!;
    expect(api.matches[0].path.type).toBe('PathPrefix');
    expect(api.filters!.find((f) => f.type === 'URLRewrite')!.urlRewrite).toEqual({ hostname: 'internal.apps.svc', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } });
    expect(app.spec.rules.some((r) => r.matches[0].path.value.includes('static'))).toBe(false);
    expect(conversion.report.some((e) => e.field === 'spec.rules[0].http.paths[1]' && e.outcome === 'dropped')).toBe(true);
  });

  it('joins canaries to the main rule: weights and header rules', async () => {
    const { conversion } = await convertCase('canary');
    expect(conversion.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Gateway/ingress', 'HTTPRoute/main']);
    const main = conversion.objects[1] as unknown as { spec: { rules: { matches: { headers?: { name: string; value: string }[] }[]; backendRefs: { name: string; weight: number }[] }[] } };
    expect(main.spec.rules[0].backendRefs.map((b) => [b.name, b.weight])).toEqual([['stable', 80], ['preview', 20]]);
    expect(main.spec.rules[1].matches[0].headers).toEqual([{ type: 'Exact', name: 'X-Canary', value: 'always' }]);
    expect(main.spec.rules[1].backendRefs.map((b) => b.name)).toEqual(['preview']);
    expect(main.spec.rules[2].backendRefs.map((b) => b.name)).toEqual(['stable']);
  });
});
