import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { accessRecord, createAccessLog, createLogger, MAX_LOGGED_PATH } from './logging.js';
import type { RequestEndInfo } from './types.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, stream };
}

const info: RequestEndInfo = {
  routeId: 'httproute/shop/api/rule/0/match/0',
  backend: 'shop/api-v1:80',
  status: 200,
  durationMs: 3.14159,
  bytesIn: 5,
  bytesOut: 42,
  method: 'POST',
  host: 'shop.example.com',
  path: '/api/items?x=1',
  client: '127.0.0.1',
};

describe('access log', () => {
  it('writes one JSON line per request with every field', () => {
    const { lines, stream } = capture();
    const access = createAccessLog(createLogger({ level: 'info', destination: stream }), true);
    access.log(info);
    access.log({ ...info, status: 502, upstreamError: 'connect' });
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({
      level: 'info',
      msg: 'access',
      route: 'httproute/shop/api/rule/0/match/0',
      backend: 'shop/api-v1:80',
      method: 'POST',
      host: 'shop.example.com',
      path: '/api/items?x=1',
      status: 200,
      durationMs: 3.142,
      bytesIn: 5,
      bytesOut: 42,
      client: '127.0.0.1',
    });
    expect(Number.isNaN(Date.parse(first.time))).toBe(false);
    expect(first).not.toHaveProperty('event');
    expect(JSON.parse(lines[1]!)).toMatchObject({ status: 502, upstreamError: 'connect' });
  });

  it('is written whatever the log level, and not at all when disabled', () => {
    const quiet = capture();
    const logger = createLogger({ level: 'error', destination: quiet.stream });
    createAccessLog(logger, true).log(info);
    logger.info('hidden');
    expect(quiet.lines).toHaveLength(1);
    expect(JSON.parse(quiet.lines[0]!).msg).toBe('access');

    const off = capture();
    createAccessLog(createLogger({ destination: off.stream }), false).log(info);
    expect(off.lines).toHaveLength(0);
  });

  it('caps client-controlled fields and says so', () => {
    const record = accessRecord({ ...info, path: '/' + 'a'.repeat(10_000), routeId: null, backend: null });
    expect((record.path as string).length).toBe(MAX_LOGGED_PATH);
    expect(record.truncated).toBe(true);
    expect(record.route).toBeNull();
    expect(accessRecord(info)).not.toHaveProperty('truncated');
  });
});
