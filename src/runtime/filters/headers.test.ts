import { describe, expect, it } from 'vitest';
import { applyHeaderModifier, copyHeaders, joinHeaderValue, RecordHeaders, type HeaderMap } from './headers.js';

const joinComma = (h: HeaderMap, name: string, value: string) => joinHeaderValue(h, name, value, ',');

describe('RecordHeaders', () => {
  it('reads and writes names case-insensitively through to the wrapped record', () => {
    const record: Record<string, string | string[] | undefined> = { 'x-a': '1' };
    const h = new RecordHeaders(record);
    expect(h.get('X-A')).toBe('1');
    h.set('X-B', '2');
    h.delete('x-A');
    expect(record).toEqual({ 'x-b': '2' });
    expect(h.toRecord()).toBe(record);
    expect(h.has('x-b')).toBe(true);
    expect(h.has('x-a')).toBe(false);
    expect(h.get('missing')).toBeNull();
  });

  it('copies into an independent map with the values forEach yields (what copyHeaders gives for any map)', () => {
    const record = { accept: ['a', 'b'], 'set-cookie': ['c=1'], cookie: ['x=1', 'y=2'], 'x-one': 'v' };
    const original = new RecordHeaders(record);
    const copy = copyHeaders(original);
    const generic = new RecordHeaders();
    original.forEach((value, name) => generic.append(name, value));
    expect(copy.toRecord()).toEqual(generic.toRecord());
    expect(copy.toRecord()).toEqual({ accept: 'a, b', 'set-cookie': 'c=1', cookie: 'x=1, y=2', 'x-one': 'v' });
    copy.set('x-one', 'changed');
    copy.append('set-cookie', 'd=2');
    expect(record).toEqual({ accept: ['a', 'b'], 'set-cookie': ['c=1'], cookie: ['x=1', 'y=2'], 'x-one': 'v' });
  });

  it('folds keys that are not lower-case and drops undefined values on construction', () => {
    const record: Record<string, string | string[] | undefined> = { 'X-Up': 'a', 'x-up': 'b', gone: undefined };
    const h = new RecordHeaders(record);
    expect(Object.keys(record).sort()).toEqual(['x-up']);
    expect(h.toArray().sort()).toEqual([
      ['x-up', 'a'],
      ['x-up', 'b'],
    ]);
  });

  it('behaves like WHATWG Headers for repeated values: get joins with ", ", forEach keeps Set-Cookie lines apart', () => {
    const h = new RecordHeaders({ accept: ['a', 'b'], 'set-cookie': ['c=1; Path=/', 'd=2'] });
    h.append('Accept', 'c');
    expect(h.get('accept')).toBe('a, b, c');
    const seen: [string, string][] = [];
    h.forEach((value, name) => seen.push([name, value]));
    expect(seen).toEqual([
      ['accept', 'a, b, c'],
      ['set-cookie', 'c=1; Path=/'],
      ['set-cookie', 'd=2'],
    ]);
    const web = new Headers(h.toArray());
    expect(web.get('accept')).toBe(h.get('accept'));
    expect(web.getSetCookie()).toEqual(['c=1; Path=/', 'd=2']);
  });

  it('copyHeaders gives an independent map of any HeaderMap', () => {
    const web = new Headers({ 'x-a': '1' });
    web.append('set-cookie', 'a=1');
    web.append('set-cookie', 'b=2');
    const copy = copyHeaders(web);
    copy.set('x-a', '2');
    expect(web.get('x-a')).toBe('1');
    expect(copy.toArray()).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-a', '2'],
    ]);
  });
});

describe('applyHeaderModifier', () => {
  it('removes, then sets, then adds (joined with the given rule)', () => {
    const h = new RecordHeaders({ keep: 'k', 'x-set': 'old', 'x-add': 'a', 'x-gone': 'g' });
    applyHeaderModifier(
      h,
      { set: [{ name: 'X-Set', value: 'new' }], add: [{ name: 'X-Add', value: 'b' }, { name: 'X-New', value: 'n' }], remove: ['X-GONE'] },
      joinComma,
    );
    expect(h.toRecord()).toEqual({ keep: 'k', 'x-set': 'new', 'x-add': 'a,b', 'x-new': 'n' });
  });

  it('keeps a header the same filter removes and sets, and appends an add to a set', () => {
    const h = new RecordHeaders({ 'x-h': 'orig' });
    applyHeaderModifier(h, { remove: ['x-h'], set: [{ name: 'X-H', value: 's' }], add: [{ name: 'x-h', value: 'a' }] }, joinComma);
    expect(h.get('x-h')).toBe('s,a');
  });

  it('uses only the first entry of equivalent names (case-insensitive)', () => {
    const h = new RecordHeaders();
    applyHeaderModifier(
      h,
      { set: [{ name: 'X-S', value: 'first' }, { name: 'x-s', value: 'second' }], add: [{ name: 'x-a', value: '1' }, { name: 'X-A', value: '2' }] },
      joinComma,
    );
    expect(h.toRecord()).toEqual({ 'x-s': 'first', 'x-a': '1' });
  });

  it('works on WHATWG Headers too', () => {
    const h = new Headers({ 'x-add': 'a' });
    applyHeaderModifier(h, { add: [{ name: 'X-Add', value: 'b' }] }, joinComma);
    expect(h.get('x-add')).toBe('a,b');
  });
});
