import { describe, expect, it } from 'vitest';
import { forwardedResponseHeaders, headerRecord, requestId } from './headers.js';
import { RecordHeaders } from '../src/runtime/filters/index.js';

describe('request ids', () => {
  it('are random version 4 UUIDs, a new one each time', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = requestId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(1000);
  });
});

describe('response headers to the client', () => {
  it('leave out hop-by-hop and nominated fields, in a new record (the parsed one is not changed)', () => {
    const parsed = { 'content-type': 'text/plain', connection: 'keep-alive, X-C', 'x-c': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'set-cookie': ['a=1', 'b=2'] };
    const before = structuredClone(parsed);
    expect(forwardedResponseHeaders(parsed)).toEqual({ 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
    expect(parsed).toEqual(before);
    expect(forwardedResponseHeaders({ connection: 'close', close: 'x', date: 'd' })).toEqual({ date: 'd' });
  });
});

describe('request headers to undici', () => {
  it('drop hop-by-hop fields a filter put back, keeping TE: trailers', () => {
    expect(headerRecord(new RecordHeaders({ 'x-a': '1', 'transfer-encoding': 'chunked', connection: 'close', te: 'trailers' }))).toEqual({ 'x-a': '1', te: 'trailers' });
    expect(headerRecord(new RecordHeaders({ te: 'gzip', upgrade: 'h2c' }))).toEqual({});
  });
});
