import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderStatus } from '../src/cli/status-output.js';
import { loadTexts } from '../src/load/load.js';
import { resolveLoaded, resolveTexts } from '../src/pipeline.js';
import { ValidationMemo } from '../src/validate/index.js';
import { StatusYaml } from './status-file.js';
import { CLASS, gatewayYaml, serviceYaml } from './test-support.js';

const TESTDATA = fileURLToPath(new URL('../src/resolve/testdata/', import.meta.url));

const BASE = [CLASS, gatewayYaml('gw', '    - { name: http, port: 8080, protocol: HTTP }'), serviceYaml('echo', [8080])].join('\n---\n');

function route(name: string, service: string, note = 'one line'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: infra
  annotations:
    note: |
      ${note}

      after an empty line
spec:
  parentRefs: [{ name: gw }]
  rules:
  - backendRefs: [{ name: ${service}, port: 8080 }]`;
}

describe('status file text', () => {
  it('is the rendered status List, byte for byte, for every resolver case', () => {
    const cases = readdirSync(TESTDATA).filter((f) => f.endsWith('.in.yaml'));
    expect(cases.length).toBeGreaterThan(0);
    for (const file of cases) {
      const result = resolveTexts([{ file, text: readFileSync(TESTDATA + file, 'utf8') }]);
      const status = new StatusYaml();
      expect(status.render(result), file).toBe(renderStatus(result, 'yaml'));
      expect(status.render(result), file).toBe(renderStatus(result, 'yaml'));
    }
  });

  it('follows changed objects and statuses across reloads, and keeps block scalars as the List writes them', () => {
    const memo = new ValidationMemo();
    const status = new StatusYaml();
    let previous: ReturnType<typeof resolveLoaded> | undefined;
    const take = (routes: string[]) =>
      (previous = resolveLoaded(loadTexts([{ file: 'm.yaml', text: [BASE, ...routes].join('\n---\n') }]), previous ? { previous: previous.resolution.statuses } : {}, memo));

    const first = take([route('a', 'echo'), route('b', 'echo')]);
    const text = status.render(first);
    expect(text).toBe(renderStatus(first, 'yaml'));
    expect(text).toContain('\n\n          after an empty line\n');

    // b's status changes (its Service is gone), a new route appears, a's text changes.
    const second = take([route('a', 'echo', 'edited'), route('b', 'missing'), route('c', 'echo')]);
    const next = status.render(second);
    expect(next).toBe(renderStatus(second, 'yaml'));
    expect(next).toContain('BackendNotFound');
    expect(next).toContain('edited');

    const empty = resolveTexts([{ file: 'e.yaml', text: '' }]);
    expect(status.render(empty)).toBe(renderStatus(empty, 'yaml'));
  });
});
