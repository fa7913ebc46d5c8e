// Byte helpers: the table's key hash (same as src/compile/hash.ts), byte equality and the
// table's open-addressing string maps.
import { KEY_WORDS, MAP_ENTRY_BYTES, word } from './table';

export const HASH_SEED: u32 = 0x811c9dc5;
const HASH_K: u32 = 0x9e3779b1;
const HASH_F: u32 = 0x85ebca6b;

/** One little-endian word into the running key hash. */
// @ts-ignore: decorator
@inline export function hashMix(h: u32, w: u32): u32 {
  return rotl<u32>((h ^ w) * HASH_K, 15);
}

// @ts-ignore: decorator
@inline export function hashFinish(h: u32, len: i32): u32 {
  h ^= <u32>len;
  h ^= h >> 15;
  h *= HASH_F;
  h ^= h >> 13;
  return h;
}

/**
 * Hash of the first `len` bytes, given the running state after all whole words before
 * `len & ~3` and the word that holds the bytes from there (only its first `len & 3` count).
 */
// @ts-ignore: decorator
@inline export function prefixHash(len: i32, state: u32, lastWord: u32): u32 {
  const t = <u32>len & 3;
  return hashFinish(t != 0 ? hashMix(state, lastWord & ((<u32>1 << (t << 3)) - 1)) : state, len);
}

/** Key hash of `len` bytes at `ptr` (may read up to 3 bytes past the end; they are masked). */
export function hashBytes(ptr: usize, len: i32): u32 {
  let h = HASH_SEED;
  let i: i32 = 0;
  for (; i + 4 <= len; i += 4) h = hashMix(h, load<u32>(ptr + <usize>i));
  return prefixHash(len, h, i < len ? load<u32>(ptr + <usize>i) : 0);
}

export function bytesEqual(a: usize, b: usize, len: i32): bool {
  let i: i32 = 0;
  for (; i + 8 <= len; i += 8) {
    if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  }
  for (; i < len; i++) {
    if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  }
  return true;
}

/**
 * Whether the key record at `rec` holds the `len` bytes at `key`: its shared prefix (if any)
 * then the rest of its bytes.
 */
// @ts-ignore: decorator
@inline function keyEquals(base: usize, rec: usize, key: usize, len: i32): bool {
  const lengths = load<u32>(rec, 4); // key records are packed: unaligned loads
  if (<i32>(lengths & 0xffff) != len) return false;
  const shared = <i32>(lengths >> 16);
  const bytes = rec + (<usize>KEY_WORDS << 2);
  if (shared == 0) return bytesEqual(bytes, key, len);
  return bytesEqual(base + <usize>load<u32>(bytes), key, shared) && bytesEqual(bytes + 4, key + <usize>shared, len - shared);
}

/**
 * Looks `len` bytes at `key` (hash `hash`) up in the map at `base + map`; returns the value of
 * its key record, 0 when absent. Probing starts at the high word of hash * capacity; an entry
 * is (u16 tag = low half of the hash, u32 key record offset), packed.
 */
export function mapLookup(base: usize, map: u32, key: usize, len: i32, hash: u32): u32 {
  const m = base + <usize>map;
  const capacity = word(m, 0);
  const entries = m + 8;
  let i = <u32>((<u64>hash * <u64>capacity) >> 32);
  while (true) {
    const e = entries + <usize>(i * MAP_ENTRY_BYTES);
    const rec = load<u32>(e, 2);
    if (rec == 0) return 0;
    if (<u32>load<u16>(e) == (hash & 0xffff) && keyEquals(base, base + <usize>rec, key, len)) return load<u32>(base + <usize>rec);
    if (++i == capacity) i = 0;
  }
}
