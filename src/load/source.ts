/**
 * Source positions for loaded objects: maps a field path back to `file:line:col` through the
 * YAML syntax tree of the text the object was read from. A load keeps the text, not the tree:
 * the text is parsed again the first time a position inside it is asked for (a diagnostic).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { FieldPath, Position } from '../diagnostics.js';

export interface Origin {
  file: string;
  /** Index of the YAML document in its file (0-based). */
  document: number;
  /** Position of the object itself. */
  position: Position;
  /** Position of the deepest part of `path` that exists in the source (the key for map entries). */
  locate(path: FieldPath): Position;
}

/** Options every parse of manifest text uses (the load's and the re-parse for positions alike). */
export const PARSE_OPTIONS = { uniqueKeys: true, prettyErrors: false } as const;

/** A line and column (1-based) within a text. */
export interface TextPosition {
  line: number;
  col: number;
}

/**
 * The offset in its text of the deepest part of `path` that exists in `doc` (the key for map
 * entries, the item for sequence entries; the document's content for an empty path).
 */
export function offsetOf(doc: Document, path: FieldPath): number {
  let node: unknown = doc.contents;
  let best = rangeStart(node) ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (keyStart !== undefined) best = keyStart;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      const start = rangeStart(item);
      if (start !== undefined) best = start;
      node = item;
    } else break;
  }
  return best;
}

/** A YAML text as it sits in its file: it starts at the beginning of the file's line `line + 1`. */
export class SourceText {
  private syntax: { docs: Document[]; lines: LineCounter } | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    /** Lines of the file before the text. */
    readonly line: number,
  ) {}

  /** A position within the text, as a position in the file. */
  at(p: TextPosition): Position {
    return { file: this.file, line: p.line + this.line, col: p.col };
  }

  /** The position of `path` in the text's document number `document` (see `offsetOf`). */
  locate(document: number, path: FieldPath): Position {
    if (!this.syntax) {
      const lines = new LineCounter();
      this.syntax = { docs: parseAllDocuments(this.text, { ...PARSE_OPTIONS, lineCounter: lines }) as Document[], lines };
    }
    const doc = this.syntax.docs[document];
    return this.at(this.syntax.lines.linePos(doc ? offsetOf(doc, path) : 0));
  }
}

/** The origin of an object read from document `index` of a source text, at `root` in it (`[]`, or an item of a List). */
export class TextOrigin implements Origin {
  readonly file: string;
  readonly position: Position;

  constructor(
    private readonly source: SourceText,
    private readonly index: number,
    private readonly root: FieldPath,
    /** Index of the document in the file. */
    readonly document: number,
    /** Position of the object within the text. */
    at: TextPosition,
  ) {
    this.file = source.file;
    this.position = source.at(at);
  }

  locate(path: FieldPath): Position {
    return this.source.locate(this.index, this.root.length === 0 ? path : [...this.root, ...path]);
  }
}

/** An origin for objects that did not come from a file (API objects built in code). */
export function syntheticOrigin(file: string): Origin {
  const position = { file, line: 0, col: 0 };
  return { file, document: 0, position, locate: () => position };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
