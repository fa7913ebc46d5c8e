/**
 * RequestMirror: each mirrored request is sent fire-and-forget on the mirror backend's pool;
 * its response is read and dropped, and nothing about it reaches the client. Only requests
 * without a body are mirrored: a body is streamed once, to the primary backend, never
 * buffered for a copy.
 */
import type { Dispatcher } from 'undici';
import type { MirrorPlan } from '../src/runtime/filters/index.js';
import type { Generation } from './generation.js';
import { headerRecord } from './headers.js';

/** Reads the mirror's answer and drops it (undici tells the new handler API by `onRequestStart`). */
const DISCARD: Dispatcher.DispatchHandler = {
  onRequestStart() {},
  onResponseStart() {},
  onResponseData() {},
  onResponseEnd() {},
  onResponseError() {},
};

/** `gateway`: `namespace/name` of the Gateway the request came through (its backend TLS client certificate applies). */
export function sendMirrors(generation: Generation, mirrors: readonly MirrorPlan[], gateway: string): void {
  for (const { backend, head } of mirrors) {
    const target = generation.endpoints.endpoints(backend, gateway).next();
    if (target === undefined) continue;
    const headers = headerRecord(head.headers);
    headers.host = head.authority;
    try {
      generation.pools.get(target).dispatch({ method: head.method, path: head.path, headers, body: null }, DISCARD);
    } catch {
      // A mirror that cannot be sent is skipped; the primary request is unaffected.
    }
  }
}
