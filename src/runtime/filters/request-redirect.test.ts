import { describe, expect, it } from 'vitest';
import type { ListenerInfo } from '../../compile/manifest.js';
import type { HTTPRequestRedirectFilter } from '../../model/gateway-api.js';
import { redirectResponse } from './request-redirect.js';
import { head } from './testing.js';

const listener = (port: number, hostname?: string): ListenerInfo => ({ index: 0, gateway: 'ns/gw', name: 'l', port, protocol: port === 443 ? 'HTTPS' : 'HTTP', ...(hostname ? { hostname } : {}) });
const prefix = { type: 'PathPrefix' as const, value: '/old' };

function location(filter: Partial<HTTPRequestRedirectFilter>, path: string, opts: { authority?: string; scheme?: 'http' | 'https'; port?: number; hostname?: string } = {}): string {
  const h = head(path, {}, { authority: opts.authority ?? 'gw.example', scheme: opts.scheme ?? 'http' });
  const r = redirectResponse(filter as HTTPRequestRedirectFilter, h, listener(opts.port ?? 80, opts.hostname), prefix);
  expect(r.headers.map(([n]) => n)).toEqual(['location']);
  return r.headers[0][1];
}

describe('redirectResponse', () => {
  it('answers 302 unless told otherwise', () => {
    const h = head('/old');
    expect(redirectResponse({ hostname: 'x' } as HTTPRequestRedirectFilter, h, listener(80), prefix).status).toBe(302);
    expect(redirectResponse({ hostname: 'x', statusCode: 308 }, h, listener(80), prefix).status).toBe(308);
  });

  it('keeps the request host without its port and leaves default ports out', () => {
    expect(location({}, '/old', { authority: 'gw.example:80' })).toBe('http://gw.example/old');
    expect(location({}, '/old', { authority: 'gw.example:8080', port: 8080 })).toBe('http://gw.example:8080/old');
    expect(location({}, '/old', { authority: '[2001:db8::1]:8080', port: 8080 })).toBe('http://[2001:db8::1]:8080/old');
    expect(location({}, '/old', { scheme: 'https', port: 443 })).toBe('https://gw.example/old');
  });

  it('derives the port from the scheme it changes to, else from the listener', () => {
    expect(location({ scheme: 'https' }, '/old', { port: 8080 })).toBe('https://gw.example/old');
    expect(location({ scheme: 'http' }, '/old', { scheme: 'https', port: 443 })).toBe('http://gw.example/old');
    expect(location({ hostname: 'example.org' }, '/old', { port: 8080 })).toBe('http://example.org:8080/old');
    expect(location({ port: 8443, scheme: 'https' }, '/old')).toBe('https://gw.example:8443/old');
    expect(location({ port: 80 }, '/old', { port: 8080 })).toBe('http://gw.example/old');
    expect(location({ port: 443 }, '/old', { port: 80 })).toBe('http://gw.example:443/old');
  });

  it('modifies the path and keeps the query string', () => {
    expect(location({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } }, '/old/x?q=1')).toBe('http://gw.example/new/x?q=1');
    expect(location({ path: { type: 'ReplaceFullPath', replaceFullPath: '/full' } }, '/old/x?q=1')).toBe('http://gw.example/full?q=1');
    expect(location({}, '/old/x?q=1')).toBe('http://gw.example/old/x?q=1');
  });

  it('falls back to the listener hostname, then to a relative Location, when the request has no Host', () => {
    expect(location({}, '/old', { authority: '', hostname: 'site.example' })).toBe('http://site.example/old');
    expect(location({}, '/old', { authority: '', hostname: '*.example' })).toBe('/old');
  });
});
