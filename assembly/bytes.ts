// Byte helpers: the table's key hash (same as src/compile/hash.ts), byte equality and the
// table's open-addressing string maps.
import { MAP_ENTRY_WORDS, word } from './table';

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
 * Looks `len` bytes at `key` (hash `hash`) up in the map at `base + map`; returns the stored
 * value offset, 0 when absent.
 */
export function mapLookup(base: usize, map: u32, key: usize, len: i32, hash: u32): u32 {
  const m = base + <usize>map;
  const mask = word(m, 0) - 1;
  const entries = m + 8;
  let i = hash & mask;
  while (true) {
    const e = entries + (<usize>(i * MAP_ENTRY_WORDS) << 2);
    const value = word(e, 3);
    if (value == 0) return 0;
    if (word(e, 0) == hash && <i32>word(e, 2) == len && bytesEqual(base + <usize>word(e, 1), key, len)) return value;
    i = (i + 1) & mask;
  }
}
