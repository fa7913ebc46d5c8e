/**
 * Open-addressing hash map from UTF-8 keys to record offsets, as the core probes it:
 * `[capacity, count, entries...]`, capacity a power of two, entry = (hash, keyOff, keyLen,
 * valueOff), linear probing from `hash & (capacity - 1)`, `valueOff == 0` = empty slot.
 * Keys are inserted in sorted order so the bytes do not depend on the input order.
 */
import { MAP_ENTRY_WORDS, MAP_MAX_LOAD_DEN, MAP_MAX_LOAD_NUM } from './format.js';
import { keyHashString } from './hash.js';
import type { TableWriter } from './writer.js';

export function writeStringMap(w: TableWriter, entries: ReadonlyMap<string, number>): number {
  const keys = [...entries.keys()].sort(compareStrings);
  let capacity = 2;
  while (capacity * MAP_MAX_LOAD_NUM < keys.length * MAP_MAX_LOAD_DEN) capacity *= 2;
  // [capacity, count, entries...]
  const slots = new Array<number>(2 + capacity * MAP_ENTRY_WORDS).fill(0);
  slots[0] = capacity;
  slots[1] = keys.length;
  for (const key of keys) {
    const hash = keyHashString(key);
    const [keyOff, keyLen] = w.string(key);
    let i = hash & (capacity - 1);
    while (slots[2 + i * MAP_ENTRY_WORDS + 3] !== 0) i = (i + 1) & (capacity - 1);
    const e = 2 + i * MAP_ENTRY_WORDS;
    slots[e] = hash;
    slots[e + 1] = keyOff;
    slots[e + 2] = keyLen;
    slots[e + 3] = entries.get(key)!;
  }
  return w.words(slots);
}

/** Code-unit order: deterministic and locale-independent. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
