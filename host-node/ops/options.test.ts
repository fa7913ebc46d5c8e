import { describe, expect, it } from 'vitest';
import { formatHostPort, OptionError, parseDuration, parseHostPort, parseWorkers } from './options.js';

describe('parseHostPort', () => {
  it('reads host:port, [v6]:port and :port', () => {
    expect(parseHostPort('127.0.0.1:9901')).toEqual({ host: '127.0.0.1', port: 9901 });
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseHostPort('[::1]:9901')).toEqual({ host: '::1', port: 9901 });
    expect(parseHostPort(':9901')).toEqual({ host: '0.0.0.0', port: 9901 });
  });

  it('rejects what is not host:port', () => {
    for (const bad of ['9901', '127.0.0.1', '127.0.0.1:65536', '127.0.0.1:x', '::1:9901', '[nothost]:1']) {
      expect(() => parseHostPort(bad), bad).toThrow(OptionError);
    }
  });

  it('formats IPv6 in brackets', () => {
    expect(formatHostPort({ host: '::1', port: 1 })).toBe('[::1]:1');
    expect(formatHostPort({ host: '127.0.0.1', port: 1 })).toBe('127.0.0.1:1');
  });
});

describe('parseDuration', () => {
  it('reads units, combinations and bare seconds', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('2.5')).toBe(2_500);
    expect(parseDuration('0')).toBe(0);
  });

  it('rejects junk', () => {
    for (const bad of ['', 's', '10x', '-1s', '1s junk']) expect(() => parseDuration(bad), bad).toThrow(OptionError);
  });
});

describe('parseWorkers', () => {
  it('reads counts and auto', () => {
    expect(parseWorkers('2')).toBe(2);
    expect(parseWorkers('auto', 6)).toBe(6);
    expect(parseWorkers('AUTO', 0)).toBe(1);
  });

  it('rejects zero, negatives and junk', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '257']) expect(() => parseWorkers(bad), bad).toThrow(OptionError);
  });
});
