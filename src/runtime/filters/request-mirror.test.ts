import { describe, expect, it } from 'vitest';
import type { RequestMirrorFilter } from '../../model/gateway-api.js';
import { mirrorRate, planMirror, sampleMirror } from './request-mirror.js';
import { backend, head } from './testing.js';

const ref = { group: '', kind: 'Service', name: 'm', port: 8080 };
const f = (extra: Partial<RequestMirrorFilter> = {}): RequestMirrorFilter => ({ backendRef: ref, ...extra });

describe('request mirror', () => {
  it('rates: all by default, percent, fraction (denominator 100 by default)', () => {
    expect(mirrorRate(f())).toBe(1);
    expect(mirrorRate(f({ percent: 20 }))).toBe(0.2);
    expect(mirrorRate(f({ fraction: { numerator: 25, denominator: 50 } }))).toBe(0.5);
    expect(mirrorRate(f({ fraction: { numerator: 7 } as { numerator: number; denominator: number } }))).toBe(0.07);
    expect(mirrorRate(f({ percent: 0 }))).toBe(0);
  });

  it('draws only for partial rates and mirrors when the draw is below the rate', () => {
    let draws = 0;
    const random = (value: number) => () => {
      draws++;
      return value;
    };
    expect(sampleMirror(f(), random(0.99))).toBe(true);
    expect(sampleMirror(f({ percent: 100 }), random(0.99))).toBe(true);
    expect(sampleMirror(f({ percent: 0 }), random(0))).toBe(false);
    expect(draws).toBe(0);
    expect(sampleMirror(f({ percent: 20 }), random(0.19))).toBe(true);
    expect(sampleMirror(f({ percent: 20 }), random(0.2))).toBe(false);
    expect(draws).toBe(2);
  });

  it('plans a copy of the head, and nothing for an unresolved target', () => {
    const h = head('/p', { a: '1' });
    const plan = planMirror(backend('m'), h)!;
    plan.head.headers.set('a', 'changed');
    plan.head.path = '/elsewhere';
    expect([h.headers.get('a'), h.path]).toEqual(['1', '/p']);
    expect(planMirror(backend('gone', [], false), h)).toBeNull();
    expect(planMirror(undefined, h)).toBeNull();
  });
});
