/**
 * Open-addressing hash map from UTF-8 keys to values (record offsets or tagged match indices),
 * as the core probes it: `[capacity, count]` (u32), then `capacity` packed 6-byte entries
 * (u16 tag = low 16 bits of the key hash, u32 key record offset at +2, unaligned), linear
 * probing from `(hash * capacity) >>> 32` (wrapping at `capacity`), key record offset 0 = empty
 * slot. Key record (packed, unaligned): `[value, keyLength | sharedLength << 16, sharedOffset?]`
 * (u32 each), then the key bytes after the shared prefix. The shared prefix is the longest
 * prefix ending in `/` that the key shares with a neighbour in sorted order (at least
 * MIN_SHARED bytes; the writer stores each distinct prefix once), so paths of one team or API
 * version store their common part once. Keys are inserted in sorted order so the bytes do not
 * depend on the input order.
 */
import { MAP_ENTRY_BYTES, MAP_MAX_LOAD_DEN, MAP_MAX_LOAD_NUM, MAX_KEY_LEN } from './format.js';
import { keyHash } from './hash.js';
import type { TableWriter } from './writer.js';

/** A shorter common prefix costs more (its offset word) than it saves. */
const MIN_SHARED = 8;
const encoder = new TextEncoder();

/** Number of slots for `count` keys: load at most MAP_MAX_LOAD_NUM / MAP_MAX_LOAD_DEN, at least 2. */
export function mapCapacity(count: number): number {
  return Math.max(2, Math.ceil((count * MAP_MAX_LOAD_DEN) / MAP_MAX_LOAD_NUM));
}

/** The first slot probed for `hash`: the high 32 bits of the 64-bit product hash * capacity. */
export function homeSlot(hash: number, capacity: number): number {
  // Exact in doubles while the product stays below 2^53.
  return capacity < 2 ** 21 ? Math.floor(((hash >>> 0) * capacity) / 2 ** 32) : Number((BigInt(hash >>> 0) * BigInt(capacity)) >> 32n);
}

/** Length of the longest common prefix of `a` and `b` that ends in `/`. */
function sharedSlashPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let last = 0;
  for (let i = 0; i < n && a.charCodeAt(i) === b.charCodeAt(i); i++) if (a.charCodeAt(i) === 0x2f) last = i + 1;
  return last;
}

function writeKeyRecord(w: TableWriter, value: number, bytes: Uint8Array, shared: string): number {
  if (bytes.length > MAX_KEY_LEN) throw new RangeError(`route table key longer than ${MAX_KEY_LEN} bytes`);
  if (shared.length < MIN_SHARED) return w.packed([value, bytes.length], bytes);
  const [sharedOff, sharedLen] = w.string(shared);
  return w.packed([value, bytes.length | (sharedLen << 16), sharedOff], bytes.subarray(sharedLen));
}

/** Writes the map (its key records first); returns its offset. `onRecord` learns each key's record offset. */
export function writeStringMap(w: TableWriter, entries: ReadonlyMap<string, number>, onRecord?: (key: string, record: number) => void): number {
  const keys = [...entries.keys()].sort(compareStrings);
  const capacity = mapCapacity(keys.length);
  const map = new Uint8Array(8 + capacity * MAP_ENTRY_BYTES);
  const view = new DataView(map.buffer);
  view.setUint32(0, capacity, true);
  view.setUint32(4, keys.length, true);
  keys.forEach((key, k) => {
    const shared = Math.max(k > 0 ? sharedSlashPrefix(key, keys[k - 1]) : 0, k + 1 < keys.length ? sharedSlashPrefix(key, keys[k + 1]) : 0);
    const bytes = encoder.encode(key);
    const record = writeKeyRecord(w, entries.get(key)!, bytes, key.slice(0, shared));
    onRecord?.(key, record);
    const hash = keyHash(bytes);
    let i = homeSlot(hash, capacity);
    while (view.getUint32(8 + i * MAP_ENTRY_BYTES + 2, true) !== 0) i = i + 1 === capacity ? 0 : i + 1;
    view.setUint16(8 + i * MAP_ENTRY_BYTES, hash & 0xffff, true);
    view.setUint32(8 + i * MAP_ENTRY_BYTES + 2, record, true);
  });
  return w.bytes(map);
}

/** Code-unit order: deterministic and locale-independent. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
