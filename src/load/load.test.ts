import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics.js';
import { loadPaths, loadTexts } from './load.js';

const route = (name: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: apps
spec:
  rules:
  - matches:
    - path:
        value: /x
`;

describe('loadTexts', () => {
  it('reads multi-document YAML in order and remembers positions', () => {
    const text = `${route('a')}---\n${route('b')}`;
    const { objects, diagnostics } = loadTexts([{ file: 'routes.yaml', text }]);
    expect(diagnostics).toEqual([]);
    expect(objects.map((o) => o.object.metadata.name)).toEqual(['a', 'b']);
    expect(objects.map((o) => o.seq)).toEqual([0, 1]);
    const second = objects[1].origin;
    expect(second.position).toEqual({ file: 'routes.yaml', line: 12, col: 1 });
    // The key of the deepest existing field: `value:` of the second document.
    expect(second.locate(['spec', 'rules', 0, 'matches', 0, 'path', 'value'])).toEqual({ file: 'routes.yaml', line: 21, col: 9 });
    // A path that does not exist points at its deepest existing ancestor.
    expect(second.locate(['spec', 'rules', 0, 'backendRefs', 3])).toEqual({ file: 'routes.yaml', line: 19, col: 5 });
  });

  it('accepts kind: List and locates fields inside its items', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: one
- apiVersion: v1
  kind: Namespace
  metadata:
    name: two
    labels:
      team: x
`;
    const { objects, diagnostics } = loadTexts([{ file: 'list.yaml', text }]);
    expect(diagnostics).toEqual([]);
    expect(objects.map((o) => o.object.metadata.name)).toEqual(['one', 'two']);
    expect(objects[1].origin.locate(['metadata', 'labels', 'team'])).toEqual({ file: 'list.yaml', line: 13, col: 7 });
  });

  it('reads JSON documents', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'j' } });
    const { objects } = loadTexts([{ file: 'ns.json', text }]);
    expect(objects[0].object.metadata.name).toBe('j');
    expect(objects[0].info.kind).toBe('Namespace');
  });

  it('skips unknown kinds with a notice and rejects unserved versions of known kinds', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
---
apiVersion: gateway.networking.k8s.io/v2
kind: HTTPRoute
metadata:
  name: future
`;
    const { objects, diagnostics } = loadTexts([{ file: 'mixed.yaml', text }]);
    expect(objects).toEqual([]);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'mixed.yaml:1:1 Deployment apps/web: notice: kind "Deployment" in "apps/v1" is not one Switchyard reads; skipped',
      'mixed.yaml:7:1 HTTPRoute future apiVersion: no matches for kind "HTTPRoute" in version "gateway.networking.k8s.io/v2" (served: gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1beta1)',
    ]);
  });

  it('reads every served version, including experimental-channel ones', () => {
    const text = ['v1', 'v1alpha2', 'v1alpha3']
      .map((v, i) => `apiVersion: gateway.networking.k8s.io/${v}\nkind: TLSRoute\nmetadata:\n  name: r${i}\n`)
      .join('---\n');
    const { objects, diagnostics } = loadTexts([{ file: 'tls.yaml', text }]);
    expect(diagnostics).toEqual([]);
    expect(objects).toHaveLength(3);
  });

  it('reports YAML syntax errors with their position and keeps the other documents', () => {
    const text = `${route('good')}---\nkind: [unclosed\n`;
    const { objects, diagnostics } = loadTexts([{ file: 'bad.yaml', text }]);
    expect(objects.map((o) => o.object.metadata.name)).toEqual(['good']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].severity).toBe('error');
    expect(diagnostics[0].position.file).toBe('bad.yaml');
    expect(diagnostics[0].position.line).toBeGreaterThanOrEqual(12);
    expect(diagnostics[0].message).toMatch(/^invalid YAML: /);
  });

  it('rejects documents that are not objects or miss apiVersion/kind', () => {
    const { diagnostics } = loadTexts([{ file: 'x.yaml', text: '- a\n---\nkind: Service\n---\napiVersion: v1\n' }]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      'not a Kubernetes object (expected a mapping)',
      'Required value: apiVersion must be set',
      'Required value: kind must be set',
    ]);
  });

  it('ignores empty documents', () => {
    const { objects, diagnostics } = loadTexts([{ file: 'e.yaml', text: '---\n# only a comment\n---\n' }]);
    expect(objects).toEqual([]);
    expect(diagnostics).toEqual([]);
  });
});

describe('loadPaths', () => {
  it('walks directories recursively in sorted order, reading .yaml/.yml/.json only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-load-'));
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'b', 'z.yml'), route('z'));
    await writeFile(join(dir, 'a.yaml'), route('a'));
    await writeFile(join(dir, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } }));
    await writeFile(join(dir, 'notes.txt'), 'not a manifest');
    const { objects } = await loadPaths([dir]);
    expect(objects.map((o) => o.object.metadata.name)).toEqual(['a', 'z', 'c']);
  });

  it('reads `-` from stdin', async () => {
    const { objects } = await loadPaths(['-'], async () => route('piped'));
    expect(objects[0].object.metadata.name).toBe('piped');
    expect(objects[0].origin.file).toBe('<stdin>');
  });

  it('throws a usage error naming a missing path', async () => {
    await expect(loadPaths(['/nonexistent/routes.yaml'])).rejects.toThrow('/nonexistent/routes.yaml: no such file or directory');
  });
});
