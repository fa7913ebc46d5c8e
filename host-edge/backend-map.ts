/**
 * Where Services live when the gateway runs at the edge: a map from a Service port to the
 * origin URLs that serve it. The route table says which Service port a request goes to (the
 * core makes the weighted pick); this map says which origin to fetch. Built at build time from
 * the manifests (backends.ts) or written by hand.
 *
 * This module runs inside the worker: no platform imports.
 */
import type { BackendInfo } from '../src/compile/manifest.js';

/**
 * Origins per Service port, keyed `namespace/name:port`: one origin URL
 * (`https://api.internal.example.com`, `http://127.0.0.1:9101`) or several, used in turn.
 * An origin may carry a base path (`https://origin.example.com/base`); the request target is
 * appended to it.
 */
export type BackendMap = Readonly<Record<string, string | readonly string[]>>;

/** The key of a Service port in a BackendMap. */
export function backendKey(service: { namespace: string; name: string; port: number }): string {
  return `${service.namespace}/${service.name}:${service.port}`;
}

/** Hands out the origins of each Service port round-robin; one per map (per isolate and table). */
export class OriginDirectory {
  private readonly cursors = new Map<string, number>();
  private readonly origins = new Map<string, readonly string[]>();

  constructor(map: BackendMap) {
    for (const [key, value] of Object.entries(map)) {
      const list = (typeof value === 'string' ? [value] : [...value]).map((o) => o.replace(/\/+$/, ''));
      if (list.length > 0) this.origins.set(key, list);
    }
  }

  /** The next origin of a backend; undefined when the backend is no Service port the map knows. */
  next(backend: BackendInfo): string | undefined {
    const service = backend.service;
    if (!service) return undefined;
    const key = backendKey(service);
    const list = this.origins.get(key);
    if (list === undefined) return undefined;
    const i = this.cursors.get(key) ?? 0;
    this.cursors.set(key, (i + 1) % list.length);
    return list[i % list.length];
  }

  /** Whether the map has origins for `key`. */
  has(key: string): boolean {
    return this.origins.has(key);
  }
}
