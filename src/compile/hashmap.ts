/**
 * Open-addressing hash map from UTF-8 keys to record offsets, as the core probes it:
 * `[capacity, count, entries...]`, capacity a power of two, entry = (hash, keyOff, keyLen,
 * valueOff), linear probing from `hash & (capacity - 1)`, `valueOff == 0` = empty slot.
 * Keys are inserted in sorted order so the bytes do not depend on the input order.
 */
import { MAP_ENTRY_WORDS } from './format.js';
import { fnv1aString } from './hash.js';
import type { TableWriter } from './writer.js';

export function writeStringMap(w: TableWriter, entries: ReadonlyMap<string, number>): number {
  const keys = [...entries.keys()].sort(compareStrings);
  let capacity = 2;
  while (capacity < keys.length * 2) capacity *= 2;
  const slots = new Array<number>(capacity * MAP_ENTRY_WORDS).fill(0);
  for (const key of keys) {
    const hash = fnv1aString(key);
    const [keyOff, keyLen] = w.string(key);
    let i = hash & (capacity - 1);
    while (slots[i * MAP_ENTRY_WORDS + 3] !== 0) i = (i + 1) & (capacity - 1);
    slots.splice(i * MAP_ENTRY_WORDS, MAP_ENTRY_WORDS, hash, keyOff, keyLen, entries.get(key)!);
  }
  return w.words([capacity, keys.length, ...slots]);
}

/** Code-unit order: deterministic and locale-independent. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
