import { describe, expect, it } from 'vitest';
import { DurationError, parseGoDuration } from './duration.js';

describe('parseGoDuration', () => {
  it('parses Go duration syntax into milliseconds', () => {
    expect(parseGoDuration('1s')).toBe(1000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('2h')).toBe(7_200_000);
    expect(parseGoDuration('500us')).toBeCloseTo(0.5);
    expect(parseGoDuration('500µs')).toBeCloseTo(0.5);
    expect(parseGoDuration('1000000ns')).toBeCloseTo(1);
    expect(parseGoDuration('.5s')).toBe(500);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-1s')).toBe(-1000);
    expect(parseGoDuration('+2s')).toBe(2000);
  });

  it('rejects malformed durations with Go messages', () => {
    expect(() => parseGoDuration('')).toThrow(new DurationError('time: invalid duration ""'));
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
    expect(() => parseGoDuration('10')).toThrow('time: missing unit in duration "10"');
    expect(() => parseGoDuration('3d')).toThrow('time: unknown unit "d" in duration "3d"');
    expect(() => parseGoDuration('.s')).toThrow('time: invalid duration ".s"');
  });
});
