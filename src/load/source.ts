/**
 * Source positions for loaded objects: maps a field path back to `file:line:col`
 * through the YAML syntax tree the object was read from.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
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

export function yamlOrigin(file: string, doc: Document, lineCounter: LineCounter, document: number, root: FieldPath = []): Origin {
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const find = (path: FieldPath): Position => {
    let node: unknown = doc.contents;
    let best = at(rangeStart(node) ?? 0);
    for (const seg of [...root, ...path]) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const keyStart = rangeStart(pair.key);
        if (keyStart !== undefined) best = at(keyStart);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        const start = rangeStart(item);
        if (start !== undefined) best = at(start);
        node = item;
      } else break;
    }
    return best;
  };
  return { file, document, position: find([]), locate: find };
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
