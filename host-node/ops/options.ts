/**
 * Parsing of the operations options of `switchyard serve`: the admin address, durations and the
 * worker count. Each parser throws `OptionError` with a message naming the bad value.
 */
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';

export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

/** Where the admin server listens unless `--admin` says otherwise (loopback: never exposed by default). */
export const DEFAULT_ADMIN_ADDRESS = '127.0.0.1:9901';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * `host:port`, `[v6]:port` or `:port` (all interfaces). Port 0 asks the system for a free port.
 * Host names are accepted as given (`localhost:9901`).
 */
export function parseHostPort(value: string): HostPort {
  const text = value.trim();
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
    if (isIP(host) !== 6) throw new OptionError(`${JSON.stringify(value)}: ${host} is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new OptionError(`${JSON.stringify(value)} is not host:port`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw new OptionError(`${JSON.stringify(value)}: write an IPv6 address as [address]:port`);
    if (host === '') host = '0.0.0.0';
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new OptionError(`${JSON.stringify(value)}: port must be a number from 0 to 65535`);
  }
  return { host, port: Number(portText) };
}

/** `host:port` for logs and URLs (`[v6]:port` for IPv6). */
export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration as `500ms`, `30s`, `2m`, `1h`, `1m30s`, or a bare number of seconds; returns milliseconds. */
export function parseDuration(value: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let offset = 0;
  while (offset < text.length) {
    part.lastIndex = offset;
    const m = part.exec(text);
    if (!m) throw new OptionError(`${JSON.stringify(value)} is not a duration (examples: 500ms, 30s, 2m, 1m30s)`);
    total += Number(m[1]) * DURATION_UNITS_MS[m[2]!]!;
    offset = part.lastIndex;
  }
  if (offset === 0) throw new OptionError(`${JSON.stringify(value)} is not a duration (examples: 500ms, 30s, 2m, 1m30s)`);
  return Math.round(total);
}

/** Most workers `--workers` accepts: far beyond any core count, low enough to catch typos. */
export const MAX_WORKERS = 256;

/** `--workers`: a positive integer, or `auto` for one worker per available core. */
export function parseWorkers(value: string, cores: number = availableParallelism()): number {
  const text = value.trim().toLowerCase();
  if (text === 'auto') return Math.max(1, cores);
  if (!/^\d+$/.test(text)) throw new OptionError(`${JSON.stringify(value)}: workers must be a positive integer or "auto"`);
  const n = Number(text);
  if (n < 1 || n > MAX_WORKERS) throw new OptionError(`${JSON.stringify(value)}: workers must be between 1 and ${MAX_WORKERS}`);
  return n;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
