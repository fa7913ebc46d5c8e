/**
 * The key hash of every hash map in the table, computed by the core (assembly/bytes.ts) over
 * the request bytes. It reads 4 bytes at a time (little-endian words; a last partial word is
 * zero-padded), so the core can hash a path in one pass and still get the hash of every prefix
 * that ends at a segment boundary from the running state (see FORMAT.md):
 *
 *   h = SEED; for each word w: h = rotl32((h ^ w) * K, 15)
 *   finish: h ^= byteLength; h ^= h >>> 15; h *= F; h ^= h >>> 13
 */
const encoder = new TextEncoder();

export const HASH_SEED = 0x811c9dc5;
export const HASH_K = 0x9e3779b1;
export const HASH_F = 0x85ebca6b;

function mix(h: number, w: number): number {
  const x = Math.imul(h ^ w, HASH_K);
  return (x << 15) | (x >>> 17);
}

function finish(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 15;
  h = Math.imul(h, HASH_F);
  h ^= h >>> 13;
  return h >>> 0;
}

export function keyHash(bytes: Uint8Array): number {
  const len = bytes.length;
  let h = HASH_SEED;
  let i = 0;
  for (; i + 4 <= len; i += 4) h = mix(h, bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
  if (i < len) {
    let w = 0;
    for (let j = 0; i + j < len; j++) w |= bytes[i + j] << (j << 3);
    h = mix(h, w);
  }
  return finish(h, len);
}

/** keyHash of the UTF-8 bytes of `value` (ASCII hashed without encoding). */
export function keyHashString(value: string): number {
  const len = value.length;
  let h = HASH_SEED;
  let w = 0;
  for (let i = 0; i < len; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) return keyHash(encoder.encode(value));
    w |= c << ((i & 3) << 3);
    if ((i & 3) === 3) {
      h = mix(h, w);
      w = 0;
    }
  }
  if (len & 3) h = mix(h, w);
  return finish(h, len);
}
