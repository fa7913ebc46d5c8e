import { describe, expect, it } from 'vitest';
import { RecordHeaders } from './headers.js';
import { applyResponseHeaderModifier } from './response-header-modifier.js';

describe('applyResponseHeaderModifier', () => {
  it('sets, adds with "," and removes', () => {
    const h = new RecordHeaders({ 'x-header-set': 'some-other-value', 'x-header-add': 'some-other-value', 'x-header-remove': 'val' });
    applyResponseHeaderModifier(h, {
      set: [{ name: 'X-Header-Set', value: 'set-overwrites-values' }],
      add: [{ name: 'X-Header-Add', value: 'add-appends-values' }, { name: 'X-UPPERCASE-ADD', value: 'u' }],
      remove: ['X-Header-Remove'],
    });
    expect(h.toRecord()).toEqual({
      'x-header-set': 'set-overwrites-values',
      'x-header-add': 'some-other-value,add-appends-values',
      'x-uppercase-add': 'u',
    });
  });

  it('adds a Set-Cookie as its own field line', () => {
    const h = new RecordHeaders({ 'set-cookie': 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT' });
    applyResponseHeaderModifier(h, { add: [{ name: 'Set-Cookie', value: 'b=2' }] });
    expect(h.toArray()).toEqual([
      ['set-cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
      ['set-cookie', 'b=2'],
    ]);
  });
});
