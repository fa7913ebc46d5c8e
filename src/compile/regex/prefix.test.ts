import { describe, expect, it } from 'vitest';
import { literalPrefix } from './prefix.js';
import { referenceRegexMatch } from '../../reference/regex.js';

describe('literalPrefix', () => {
  it.each([
    ['/files0/[a-z0-9]+\\.(png|jpe?g)', '/files0/'],
    ['^/api/v[0-9]+', '/api/v'],
    ['\\A/api', '/api'],
    ['/ab*', '/a'],
    ['/x{2}', '/'],
    ['(?i)/abc', '/'],
    ['/a|/b', ''],
    ['\\Q/a.b\\E.*', '/a.b'],
    ['/é/x', '/'],
    ['.*', ''],
    ['(', ''],
  ])('%s -> %s', (pattern, prefix) => {
    expect(literalPrefix(pattern)).toBe(prefix);
  });

  it('every full match starts with the prefix', () => {
    const cases: [string, string[]][] = [
      ['/files/[a-z]+\\.png', ['/files/a.png', '/files/.png', '/file/a.png', '/FILES/a.png']],
      ['^/v1(/.*)?', ['/v1', '/v1/x', '/v2', '/v']],
      ['/a(?i)bc', ['/abc', '/aBC', '/Abc']],
    ];
    for (const [pattern, subjects] of cases) {
      const prefix = literalPrefix(pattern);
      for (const s of subjects) if (referenceRegexMatch(pattern, s)) expect(s.startsWith(prefix)).toBe(true);
    }
  });
});
