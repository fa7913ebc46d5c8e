/**
 * RequestMirror: a copy of the request also goes to another backend, whose answer is ignored.
 * The main request is never affected: the mirror gets its own copy of the head.
 */
import type { BackendInfo } from '../../compile/manifest.js';
import type { RequestMirrorFilter } from '../../model/gateway-api.js';
import { copyHead } from './head.js';
import type { MirrorPlan, RequestHead } from './types.js';

/**
 * The share of requests to mirror, in [0, 1]: `percent`/100 or `fraction` (denominator 100
 * when unset); every request when neither is set.
 */
export function mirrorRate(filter: RequestMirrorFilter): number {
  if (filter.percent !== undefined) return clamp(filter.percent / 100);
  if (filter.fraction !== undefined) {
    const denominator = filter.fraction.denominator ?? 100;
    return denominator > 0 ? clamp(filter.fraction.numerator / denominator) : 0;
  }
  return 1;
}

/**
 * Whether this request is mirrored. `random` returns [0, 1) and is consulted only when the rate
 * is strictly between 0 and 1, so always/never mirrors cost no draw and leave the sequence of a
 * seeded generator to the filters that need it.
 */
export function sampleMirror(filter: RequestMirrorFilter, random: () => number): boolean {
  const rate = mirrorRate(filter);
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return random() < rate;
}

/**
 * The mirror of `head` to `target`, or null when the target cannot receive traffic (its
 * reference did not resolve: the route reports it, and the spec drops such a mirror rather
 * than failing the main request).
 */
export function planMirror(target: BackendInfo | undefined, head: RequestHead): MirrorPlan | null {
  if (!target?.service) return null;
  return { backend: target, head: copyHead(head) };
}

function clamp(rate: number): number {
  return rate < 0 ? 0 : rate > 1 ? 1 : rate;
}
