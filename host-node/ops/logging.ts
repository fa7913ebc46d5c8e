/**
 * Logs: pino, one JSON object per line on stdout. Operational messages follow `--log-level`;
 * the access log (one line per finished request, `msg: "access"`) is switched on and off on its
 * own with `--access-log` / `--no-access-log` and is not filtered by the level.
 *
 * Lines are written synchronously, so nothing is lost when the process exits after a drain, and
 * each line is one write: with several workers on one stdout, lines never interleave (fields
 * that come from clients are capped so an access line stays well under the pipe's atomic size).
 */
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './options.js';
import type { RequestEndInfo } from './types.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Longest path and host an access line carries; longer values are cut and flagged. */
export const MAX_LOGGED_PATH = 2048;
export const MAX_LOGGED_HOST = 256;

function cap(value: string, max: number): [string, boolean] {
  return value.length > max ? [value.slice(0, max), true] : [value, false];
}

/** The fields of one access line. */
export function accessRecord(info: RequestEndInfo): Record<string, unknown> {
  const [path, pathCut] = cap(info.path, MAX_LOGGED_PATH);
  const [host, hostCut] = cap(info.host, MAX_LOGGED_HOST);
  const record: Record<string, unknown> = {
    route: info.routeId,
    backend: info.backend,
    method: cap(info.method, 32)[0],
    host,
    path,
    status: info.status,
    durationMs: Math.round(info.durationMs * 1000) / 1000,
    bytesIn: info.bytesIn,
    bytesOut: info.bytesOut,
    client: info.client ?? null,
  };
  if (info.upstreamError !== undefined) record.upstreamError = info.upstreamError;
  if (pathCut || hostCut) record.truncated = true;
  return record;
}

export interface AccessLog {
  log(info: RequestEndInfo): void;
}

/** The access log on `logger` (info level whatever the logger's level), or one that drops everything. */
export function createAccessLog(logger: Logger, enabled: boolean): AccessLog {
  if (!enabled) return { log() {} };
  const access = logger.child({}, { level: 'info' });
  return {
    log(info) {
      access.info(accessRecord(info), 'access');
    },
  };
}
