import { describe, expect, it } from 'vitest';
import { applyRequestHeaderModifier } from './request-header-modifier.js';
import { head } from './testing.js';

describe('applyRequestHeaderModifier', () => {
  it('sets, adds with "," and removes, names case-insensitively', () => {
    const h = head('/', { 'x-header-set': 'original', 'x-header-add': 'original', 'x-header-remove': 'gone', other: 'o' });
    applyRequestHeaderModifier(h, {
      set: [{ name: 'X-Header-Set', value: 'header-set' }],
      add: [{ name: 'X-Header-Add', value: 'header-add' }],
      remove: ['X-Header-Remove'],
    });
    expect(h.headers.get('x-header-set')).toBe('header-set');
    expect(h.headers.get('x-header-add')).toBe('original,header-add');
    expect(h.headers.has('x-header-remove')).toBe(false);
    expect(h.headers.get('other')).toBe('o');
  });

  it('adds a cookie as another "; "-separated pair of the single Cookie header', () => {
    const h = head('/', { cookie: 'a=1' });
    applyRequestHeaderModifier(h, { add: [{ name: 'Cookie', value: 'b=2' }] });
    expect(h.headers.get('cookie')).toBe('a=1; b=2');
  });

  it('treats a set Host as the new authority and ignores adding or removing Host', () => {
    const set = head('/', {}, { authority: 'old.example:8080' });
    applyRequestHeaderModifier(set, { set: [{ name: 'Host', value: 'new.example' }], add: [{ name: 'x', value: '1' }] });
    expect([set.authority, set.headers.get('host'), set.headers.get('x')]).toEqual(['new.example', 'new.example', '1']);

    const removed = head('/', {}, { authority: 'keep.example' });
    applyRequestHeaderModifier(removed, { remove: ['host'], add: [{ name: 'HOST', value: 'second' }] });
    expect([removed.authority, removed.headers.get('host')]).toEqual(['keep.example', 'keep.example']);
  });
});
