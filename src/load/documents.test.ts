import { describe, expect, it } from 'vitest';
import type { FieldPath } from '../diagnostics.js';
import { parseText, readFileText, splitDocuments } from './documents.js';
import { SourceText } from './source.js';

const ns = (name: string, extra = '', team?: string) =>
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${team ? `  labels: { team: ${team} }\n` : ''}${extra}`;
const PATHS: FieldPath[] = [[], ['metadata'], ['metadata', 'name'], ['metadata', 'labels', 'team'], ['spec', 'x'], ['items', 1, 'metadata', 'name']];

/** What parsing `text` whole gives, positions through the whole text's syntax tree. */
function whole(file: string, text: string) {
  const parsed = parseText(text);
  const source = new SourceText(file, text, 0);
  return {
    objects: parsed.objects.map((o, seq) => ({
      object: o.object,
      kind: o.info.kind,
      seq,
      document: o.document,
      position: source.at(o.at),
      at: PATHS.map((p) => source.locate(o.document, [...o.root, ...p])),
    })),
    diagnostics: parsed.findings.map(({ at, ...f }) => ({ ...f, position: source.at(at) })),
  };
}

/** What `readFileText` gives, in the same shape. */
function split(file: string, text: string) {
  const read = readFileText(file, text);
  return {
    objects: read.objects.map((o) => ({
      object: o.object,
      kind: o.info.kind,
      seq: o.seq,
      document: o.origin.document,
      position: o.origin.position,
      at: PATHS.map((p) => o.origin.locate(p)),
    })),
    diagnostics: read.diagnostics,
  };
}

const TEXTS: Record<string, string> = {
  plain: `${ns('a')}---\n${ns('b')}---\n${ns('c')}`,
  'comments and blank lines around markers': `# header\n\n${ns('a')}# trailing\n---\n\n# before b\n${ns('b', '', 'x')}`,
  'leading marker and content on the marker line': `---\n${ns('a')}--- {apiVersion: v1, kind: Namespace, metadata: {name: b, labels: {team: y}}}\n`,
  'empty documents and a trailing marker': `---\n---\n# only a comment\n---\n${ns('a')}---\n`,
  'block scalar with an indented marker line': `${ns('a', 'spec:\n  x: |\n    ---\n    text\n')}---\n${ns('b')}`,
  'a line that only starts like a marker': `${ns('a', 'spec:\n  x:\n---x\n')}---\n${ns('b')}`,
  'quoted scalar across a marker (syntax error)': `${ns('a')}---\napiVersion: v1\nkind: Namespace\nmetadata: { name: "b\n---\nc" }\n---\n${ns('d')}`,
  'unclosed flow collection': `${ns('a')}---\nkind: [unclosed\n---\n${ns('c')}`,
  'document end marker': `${ns('a')}...\n---\n${ns('b')}`,
  directive: `%YAML 1.2\n---\n${ns('a')}---\n${ns('b')}`,
  'CRLF line breaks': `${ns('a')}---\n${ns('b')}`.replace(/\n/g, '\r\n'),
  'lone CR line breaks': `${ns('a')}\r---\r${ns('b')}`,
  'List with items': `${ns('a')}---\napiVersion: v1\nkind: List\nitems:\n- ${ns('i0').replace(/\n(?=.)/g, '\n  ')}- ${ns('i1', '', 'z').replace(/\n(?=.)/g, '\n  ')}`,
  'loader findings': `- a\n---\nkind: Service\n---\napiVersion: v1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: apps }\n---\napiVersion: gateway.networking.k8s.io/v2\nkind: HTTPRoute\nmetadata: { name: future }\n`,
  'the same document twice': `${ns('a')}---\n${ns('a')}`,
  JSON: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'j' } }),
};

describe('readFileText', () => {
  for (const [name, text] of Object.entries(TEXTS)) {
    it(`gives what a whole parse gives: ${name}`, () => {
      const got = split('f.yaml', text);
      expect(got).toEqual(whole('f.yaml', text));
      expect(got.objects.length + got.diagnostics.length).toBeGreaterThan(0);
    });
  }

  it('re-parses only the documents whose text changed, and shifts the others', () => {
    const before = [ns('a'), ns('b'), ns('c')].join('---\n');
    const first = readFileText('f.yaml', before);
    expect(first.parses).toBe(3);
    // A document inserted, one changed: two parses, positions as a whole parse gives.
    const after = [ns('a'), ns('z', '', 'x'), ns('b', 'spec:\n  x: 1\n'), ns('c')].join('---\n');
    const second = readFileText('f.yaml', after, first.parsed);
    expect(second.parses).toBe(2);
    expect(second.objects[3]!.object).toBe(first.objects[2]!.object);
    expect(split('f.yaml', after)).toEqual(whole('f.yaml', after));
    expect(second.objects.map((o) => [o.origin.position.line, o.origin.document])).toEqual([[1, 0], [6, 1], [12, 2], [19, 3]]);
    expect([...second.parsed.keys()]).toHaveLength(4);
  });

  it('keys objects by their document text, List items by their place too', () => {
    const read = readFileText('f.yaml', TEXTS['List with items']!);
    expect(read.objects.map((o) => o.content?.endsWith(o.object.metadata.name + '\n'))).toEqual([true, false, false]);
    expect(new Set(read.objects.map((o) => o.content)).size).toBe(3);
    // Whole parses of several documents give no key (the text is not one object's).
    expect(readFileText('f.yaml', TEXTS['document end marker']!).objects.map((o) => o.content)).toEqual([undefined, undefined]);
  });
});

describe('splitDocuments', () => {
  it('cuts before each marker line and counts the lines before each piece', () => {
    expect(splitDocuments('a: 1\n---\nb: 2\n--- \nc: 3')).toEqual([
      { text: 'a: 1\n', line: 0 },
      { text: '---\nb: 2\n', line: 1 },
      { text: '--- \nc: 3', line: 3 },
    ]);
    expect(splitDocuments('%YAML 1.2\n---\na: 1')).toBeUndefined();
    expect(splitDocuments('a: 1\n...\n')).toBeUndefined();
  });
});
