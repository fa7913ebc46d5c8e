/**
 * Reading one file's text: split at its document markers, each YAML document parsed on its
 * own and its parse kept by text, so a file read again is parsed again only where it changed
 * (a watched file of 10,000 routes that gains one costs one document's parse). The objects
 * and diagnostics are exactly those of parsing the whole text at once: a text the split
 * cannot reproduce that for (directives, `...` markers, lone CR line breaks, YAML syntax
 * errors) is parsed whole.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { Diagnostic, FieldPath } from '../diagnostics.js';
import { lookupKind, type KindInfo } from './kinds.js';
import type { KubeObject, LoadedObject, LoadResult } from './load.js';
import { offsetOf, PARSE_OPTIONS, SourceText, TextOrigin, type TextPosition } from './source.js';

/** One object a text holds, positions relative to the text. */
interface ReadObject {
  object: KubeObject;
  info: KindInfo;
  /** Index of its YAML document in the text. */
  document: number;
  /** Where in the document: `[]`, or an item of a List. */
  root: FieldPath;
  at: TextPosition;
}

/** A loader finding, its position relative to the text. */
type ReadFinding = Omit<Diagnostic, 'position'> & { at: TextPosition };

/** A text's parse: plain data, no syntax tree. */
export interface ParsedText {
  /** YAML documents in the text. */
  documents: number;
  objects: ReadObject[];
  findings: ReadFinding[];
  /** Some document has YAML syntax errors. */
  broken: boolean;
}

/** One document's text in its file: it starts at the beginning of the file's line `line + 1`. */
interface DocumentSlice {
  text: string;
  line: number;
}

/** A document marker (`---` or `...` alone or before a blank) or a directive at the start of a line. */
const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)|^%/gm;

/**
 * The text cut before every `---` line, or undefined when cutting there might not give the
 * documents a whole parse gives (YAML directives, document end markers, lone CR line breaks).
 * A piece that turns out to hold more than one document is caught by the caller.
 */
export function splitDocuments(text: string): DocumentSlice[] | undefined {
  if (text.includes('\r') && /\r(?!\n)/.test(text)) return undefined;
  const slices: DocumentSlice[] = [];
  let start = 0;
  let line = 0;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m; m = MARKER.exec(text)) {
    if (m[0] !== '---') return undefined;
    if (m.index === 0 || text.charCodeAt(m.index - 1) !== 10) continue;
    slices.push({ text: text.slice(start, m.index), line });
    line += countLines(text, start, m.index);
    start = m.index;
  }
  slices.push({ text: text.slice(start), line });
  return slices;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Parses a text into objects and findings. Every problem becomes a finding; nothing throws. */
export function parseText(text: string): ParsedText {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const list: Document[] = Array.isArray(docs) ? docs : [];
  const parsed: ParsedText = { documents: list.length, objects: [], findings: [], broken: false };
  list.forEach((doc, document) => {
    if (doc.errors.length > 0) {
      parsed.broken = true;
      for (const err of doc.errors) {
        parsed.findings.push({ severity: 'error', at: lines.linePos(err.pos[0]), field: '', message: `invalid YAML: ${err.message.split('\n')[0]}` });
      }
      return;
    }
    const data: unknown = doc.toJS({ maxAliasCount: 100 });
    if (data === null || data === undefined) return; // an empty document
    const at = (path: FieldPath) => lines.linePos(offsetOf(doc, path));
    const accept = (value: unknown, root: (string | number)[]) => {
      const obj = value as Record<string, unknown>;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        parsed.findings.push({ severity: 'error', at: at(root), field: '', message: 'not a Kubernetes object (expected a mapping)' });
        return;
      }
      const apiVersion = obj.apiVersion;
      const kind = obj.kind;
      if (typeof apiVersion !== 'string' || apiVersion === '') {
        parsed.findings.push({ severity: 'error', at: at([...root, 'apiVersion']), field: 'apiVersion', message: 'Required value: apiVersion must be set' });
        return;
      }
      if (typeof kind !== 'string' || kind === '') {
        parsed.findings.push({ severity: 'error', at: at([...root, 'kind']), field: 'kind', message: 'Required value: kind must be set' });
        return;
      }
      if (kind === 'List' && apiVersion === 'v1') {
        const items = obj.items;
        if (!Array.isArray(items)) {
          parsed.findings.push({ severity: 'error', at: at([...root, 'items']), field: 'items', message: 'Required value: a List needs items' });
          return;
        }
        items.forEach((item, i) => accept(item, [...root, 'items', i]));
        return;
      }
      const meta = obj.metadata as Record<string, unknown> | undefined;
      const name = typeof meta?.name === 'string' ? meta.name : '';
      const namespace = typeof meta?.namespace === 'string' ? meta.namespace : undefined;
      const ref = { kind, name: name || '<unnamed>', namespace };
      const found = lookupKind(apiVersion, kind);
      if (!found.ok) {
        parsed.findings.push(
          found.known
            ? { severity: 'error', at: at([...root, 'apiVersion']), object: ref, field: 'apiVersion', message: found.message }
            : { severity: 'notice', at: at(root), object: ref, field: '', message: `kind "${kind}" in "${apiVersion}" is not one Switchyard reads; skipped` },
        );
        return;
      }
      parsed.objects.push({ object: obj as KubeObject, info: found.info, document, root, at: at(root) });
    };
    accept(data, []);
  });
  return parsed;
}

/** One file read: its objects (`seq` from 0) and diagnostics, and its documents' parses by text. */
export interface FileRead extends LoadResult {
  parsed: Map<string, ParsedText>;
  /** Documents parsed for this read (the others were among `known`). */
  parses: number;
}

/** Thrown by a tentative read (`readFileText`) of a text with a broken document. */
export class BrokenTextError extends Error {
  constructor(readonly file: string) {
    super(`${file}: a document does not parse`);
  }
}

/**
 * Reads one file's text. `known`: parses by text from earlier reads of the file, reused for
 * documents whose text did not change. `tentative`: the text may be a file read half written,
 * so a broken document throws `BrokenTextError` instead of the whole text being parsed as one
 * (what gives a broken file the diagnostics of a cold load, and costs a full parse).
 */
export function readFileText(file: string, text: string, known: Pick<ReadonlyMap<string, ParsedText>, 'get'> = new Map(), tentative = false): FileRead {
  const parsed = new Map<string, ParsedText>();
  let parses = 0;
  const parse = (t: string): ParsedText => {
    let p = parsed.get(t) ?? known.get(t);
    if (!p) {
      // Parsed from a copy: the strings of the objects read may be slices of the text parsed,
      // and a slice of the file's text would keep the whole file alive, one version per reload.
      p = parseText(Buffer.from(t, 'utf8').toString('utf8'));
      parses++;
    }
    parsed.set(t, p);
    return p;
  };
  let slices = splitDocuments(text) ?? [{ text, line: 0 }];
  let parts = slices.map((s) => parse(s.text));
  if (slices.length > 1 && parts.some((p) => p.broken || p.documents > 1)) {
    if (tentative) throw new BrokenTextError(file);
    slices = [{ text, line: 0 }];
    parts = [parse(text)];
  }
  const objects: LoadedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  let document = 0;
  slices.forEach((slice, i) => {
    const part = parts[i]!;
    const source = new SourceText(file, slice.text, slice.line);
    for (const { at, ...finding } of part.findings) diagnostics.push({ ...finding, position: source.at(at) });
    for (const o of part.objects) {
      // Content key: the document's text determines the object (for a List item, with its place).
      const content = part.documents !== 1 ? undefined : o.root.length === 0 ? slice.text : `${o.root.join('\0')}\0${slice.text}`;
      objects.push({
        object: o.object,
        info: o.info,
        origin: new TextOrigin(source, o.document, o.root, document + o.document, o.at),
        seq: objects.length,
        ...(content !== undefined ? { content } : {}),
      });
    }
    document += part.documents;
  });
  return { objects, diagnostics, parsed, parses };
}
