/**
 * FNV-1a (32-bit) over UTF-8 bytes: the hash of every key in the table's hash maps. The core
 * computes the same function (assembly/hash.ts) over the request bytes.
 */
const encoder = new TextEncoder();

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

export function fnv1a(bytes: Uint8Array): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME) >>> 0;
  return h >>> 0;
}

export function fnv1aString(value: string): number {
  return fnv1a(encoder.encode(value));
}
