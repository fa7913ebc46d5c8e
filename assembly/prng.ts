// xorshift32, seeded by the host: the same generator as src/reference/prng.ts, so a weighted
// pick made by the core and by the reference matcher agree for the same seed.

export const DEFAULT_SEED: u32 = 0x9e3779b9;
let state: u32 = DEFAULT_SEED;

export function setSeed(seed: u32): void {
  state = seed == 0 ? DEFAULT_SEED : seed;
}

export function nextRandom(): u32 {
  let x = state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  state = x;
  return x;
}
