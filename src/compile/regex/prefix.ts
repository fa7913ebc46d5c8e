/**
 * The literal ASCII prefix every full match of a pattern starts with (e.g. `/files/` for
 * `/files/[a-z]+\.png`), or '' when the pattern does not begin with plain literals. The core
 * compares it before running a RegularExpression path's program, so regex routes cost a byte
 * compare for paths that cannot match them. Anchors at the start (`^`, `\A`) are skipped: a
 * full match starts at position 0 anyway.
 */
import { parseRegex, type RegexNode } from './parse.js';

export function literalPrefix(pattern: string): string {
  let node: RegexNode;
  try {
    node = parseRegex(pattern);
  } catch {
    return '';
  }
  let out = '';
  const walk = (n: RegexNode): boolean => {
    // true = keep going after n (n was consumed entirely as literals)
    switch (n.type) {
      case 'literal':
        if (n.cp >= 0x80) return false;
        out += String.fromCharCode(n.cp);
        return true;
      case 'assert':
        return out === '' && (n.kind === 'beginText' || n.kind === 'beginLine');
      case 'empty':
        return true;
      case 'concat':
        for (const item of n.items) if (!walk(item)) return false;
        return true;
      default:
        return false;
    }
  };
  walk(node);
  return out;
}
