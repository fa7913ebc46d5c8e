/**
 * xorshift32: the weighted-pick generator of the core (assembly/prng.ts), bit for bit.
 */
export const DEFAULT_SEED = 0x9e3779b9;

export class XorShift32 {
  private state = DEFAULT_SEED;

  seed(value: number): void {
    const v = value >>> 0;
    this.state = v === 0 ? DEFAULT_SEED : v;
  }

  next(): number {
    let x = this.state;
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    this.state = x;
    return x;
  }
}

/**
 * Weighted pick: `next() % total`, walked over the weights in order (weight 0 is never chosen).
 * Returns -1 without drawing when the total weight is 0.
 */
export function pickWeighted(weights: readonly number[], rng: XorShift32): number {
  let total = 0;
  for (const w of weights) total += w;
  if (total === 0) return -1;
  let pick = rng.next() % total;
  for (let i = 0; i < weights.length; i++) {
    if (pick < weights[i]) return i;
    pick -= weights[i];
  }
  return -1;
}
