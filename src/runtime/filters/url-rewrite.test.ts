import { describe, expect, it } from 'vitest';
import { head } from './testing.js';
import { applyUrlRewrite } from './url-rewrite.js';

describe('applyUrlRewrite', () => {
  it('replaces the whole authority and the Host header', () => {
    const h = head('/one', {}, { authority: 'rewrite.example:8080' });
    applyUrlRewrite(h, { hostname: 'one.example.org' }, undefined);
    expect([h.authority, h.headers.get('host'), h.path]).toEqual(['one.example.org', 'one.example.org', '/one']);
  });

  it('does not invent a Host header the map does not carry', () => {
    const h = head('/');
    h.headers.delete('host');
    applyUrlRewrite(h, { hostname: 'x.example' }, undefined);
    expect([h.authority, h.headers.has('host')]).toEqual(['x.example', false]);
  });

  it('rewrites the path by the matched prefix and keeps the query', () => {
    const h = head('/prefix/one/two?x=1');
    applyUrlRewrite(h, { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/one' } }, { type: 'PathPrefix', value: '/prefix/one' });
    expect([h.path, h.authority]).toEqual(['/one/two?x=1', 'gw.example']);
  });
});
