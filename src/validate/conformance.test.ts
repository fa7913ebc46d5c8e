/**
 * Every manifest of the Gateway API v1.6.1 conformance suite was accepted by a real API
 * server, so it must validate without a single error here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics.js';
import { loadTexts } from '../load/load.js';
import { validate } from './index.js';

const CORPUS = join(process.cwd(), '../shared/conformance');

/**
 * The conformance harness fills these in before applying the manifests (a controller name
 * for the GatewayClass test; usable and unusable static addresses supplied by the
 * implementation). They are filled in the same way here, with documentation-range addresses.
 */
const HARNESS_SUBSTITUTIONS: [string, string][] = [
  ['{GATEWAY_CONTROLLER_NAME}', 'example.net/gateway-controller'],
  ['PLACEHOLDER_USABLE_ADDRS', '192.0.2.10'],
  ['PLACEHOLDER_UNUSABLE_ADDRS', '198.51.100.10'],
];

function harnessText(text: string): string {
  return HARNESS_SUBSTITUTIONS.reduce((t, [from, to]) => t.replaceAll(from, to), text);
}

const tests = readdirSync(join(CORPUS, 'tests'))
  .filter((f) => f.endsWith('.json'))
  .sort();

function validateText(file: string, text: string) {
  const loaded = loadTexts([{ file, text: harnessText(text) }]);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { loaded, validated: validate(loaded.objects) };
}

describe('conformance corpus validates without errors', () => {
  it('base.yaml', () => {
    const { loaded, validated } = validateText('base.yaml', readFileSync(join(CORPUS, 'base.yaml'), 'utf8'));
    expect(validated.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(validated.objects).toHaveLength(loaded.objects.length);
    expect(validated.objects.length).toBeGreaterThan(10);
  });

  it.each(tests)('%s', (file) => {
    const test = JSON.parse(readFileSync(join(CORPUS, 'tests', file), 'utf8')) as { manifestsYaml?: string };
    const { loaded, validated } = validateText(file, test.manifestsYaml ?? '');
    expect(validated.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(validated.objects).toHaveLength(loaded.objects.length);
  });

  it('has a corpus to check', () => {
    expect(tests.length).toBeGreaterThan(100);
  });

  it('needs the harness substitutions: unfilled placeholders are rejected as the API server would', () => {
    const test = JSON.parse(readFileSync(join(CORPUS, 'tests', 'GatewayStaticAddresses.json'), 'utf8')) as { manifestsYaml: string };
    const loaded = loadTexts([{ file: 'raw.yaml', text: test.manifestsYaml }]);
    const { diagnostics } = validate(loaded.objects);
    expect(diagnostics.map((d) => d.field)).toEqual(['spec.addresses[1]', 'spec.addresses[2]']);
  });
});
