// Byte helpers: FNV-1a (the table's key hash, same as src/compile/hash.ts), byte equality and
// the table's open-addressing string maps.
import { MAP_ENTRY_WORDS, word } from './table';

export const FNV_OFFSET: u32 = 0x811c9dc5;
export const FNV_PRIME: u32 = 0x01000193;

export function fnv1a(ptr: usize, len: i32): u32 {
  let h = FNV_OFFSET;
  for (let i = 0; i < len; i++) h = (h ^ <u32>load<u8>(ptr + <usize>i)) * FNV_PRIME;
  return h;
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
