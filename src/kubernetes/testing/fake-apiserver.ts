/**
 * A Kubernetes API server for tests, on loopback HTTP, implementing the endpoints Kubernetes
 * mode uses as the API conventions define them:
 *
 *  - list: `GET /api/v1/services`, `/apis/<group>/<version>/namespaces/<ns>/<plural>`...,
 *    `limit`/`continue` paging, the list's `metadata.resourceVersion`; items of built-in kinds
 *    carry no apiVersion/kind, as the real server sends them;
 *  - watch: `?watch=1&resourceVersion=N` streams one JSON event per line (ADDED, MODIFIED,
 *    DELETED, BOOKMARK with `allowWatchBookmarks`), ends after `timeoutSeconds`; an unset or "0"
 *    resourceVersion starts with ADDED for every object; a compacted resourceVersion gets an
 *    ERROR event carrying a 410 Gone `Status` (and an expired `continue` token a 410 answer);
 *  - get, create (409 AlreadyExists), update (409 Conflict on a stale resourceVersion),
 *    delete, and `PATCH .../status` with `application/merge-patch+json` (RFC 7386; only the
 *    status changes, `metadata.resourceVersion` in the patch is a precondition);
 *  - every write bumps the global resourceVersion; spec changes of Gateway API objects bump
 *    `metadata.generation`.
 *
 * Tests drive it directly too (`put`, `remove`, `compact`, `dropWatches`, `expireWatches`,
 * `bookmark`) and read `requests` to count what the client sent.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../load/load.js';
import { RESOURCES } from '../resources.js';

export interface FakeResource {
  kind: string;
  group: string;
  plural: string;
  namespaced: boolean;
  /** Versions served. */
  versions: string[];
  /** Whether writes to the main resource ignore status (CRDs with a status subresource). */
  statusSubresource: boolean;
  /** Whether spec changes bump metadata.generation. */
  generation: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body?: unknown;
  /** performance.now() when it arrived. */
  at: number;
  /** The HTTP status answered (set once the answer is written). */
  code?: number;
}

export interface FakeApiServerOptions {
  /** Serve only these kinds (default: every kind Kubernetes mode reads, plus Lease). */
  kinds?: readonly string[];
  /** Versions to serve per kind instead of all of them. */
  versions?: Readonly<Record<string, string[]>>;
  /** Required bearer token; requests without it get 401. */
  token?: string;
}

interface Stored {
  resource: FakeResource;
  object: KubeObject;
}

interface HistoryEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: FakeResource;
  object: KubeObject;
}

interface ActiveWatch {
  resource: FakeResource;
  version: string;
  namespace: string | undefined;
  bookmarks: boolean;
  res: ServerResponse;
  sentRv: number;
}

const LEASE: FakeResource = {
  kind: 'Lease',
  group: 'coordination.k8s.io',
  plural: 'leases',
  namespaced: true,
  versions: ['v1'],
  statusSubresource: false,
  generation: false,
};

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly resources: FakeResource[];
  readonly #objects = new Map<string, Stored>();
  readonly #history: HistoryEvent[] = [];
  readonly #watches = new Set<ActiveWatch>();
  readonly #token: string | undefined;
  readonly #failures: { count: number; code: number; reason: string; matches: (method: string, path: string, query: Record<string, string>) => boolean }[] = [];
  #rv = 100;
  /** Oldest resourceVersion a watch may start from; older ones are 410 Gone. */
  #compactedRv = 0;
  #server: Server | undefined;
  #port = 0;

  constructor(options: FakeApiServerOptions = {}) {
    const all: FakeResource[] = [
      ...RESOURCES.map((r) => ({
        kind: r.kind as string,
        group: r.group,
        plural: r.plural,
        namespaced: r.namespaced,
        versions: [...r.versions],
        statusSubresource: r.group === 'gateway.networking.k8s.io',
        generation: r.group === 'gateway.networking.k8s.io',
      })),
      LEASE,
    ];
    this.resources = all
      .filter((r) => !options.kinds || options.kinds.includes(r.kind) || r.kind === 'Lease')
      .map((r) => ({ ...r, versions: options.versions?.[r.kind] ?? r.versions }));
    this.#token = options.token;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get resourceVersion(): string {
    return String(this.#rv);
  }

  get activeWatches(): number {
    return this.#watches.size;
  }

  async close(): Promise<void> {
    for (const w of this.#watches) w.res.destroy();
    this.#watches.clear();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests matching method (and a path suffix or pattern). */
  count(method: string, path?: RegExp): number {
    return this.requests.filter((r) => r.method === method && (!path || path.test(r.path))).length;
  }

  /** Creates or replaces an object, as `kubectl apply` would (status kept from the stored one when it has a status subresource). */
  put(object: KubeObject): KubeObject {
    const resource = this.#resourceOfObject(object);
    const existing = this.#objects.get(this.#key(resource, object.metadata.namespace, object.metadata.name));
    if (!existing) return this.#create(resource, structuredClone(object));
    const next = structuredClone(object);
    delete next.metadata.resourceVersion;
    return this.#update(resource, existing, next, false);
  }

  /** Deletes an object; returns whether it existed. */
  remove(kind: string, name: string, namespace?: string): boolean {
    const resource = this.#resourceOfKind(kind);
    const key = this.#key(resource, namespace, name);
    const stored = this.#objects.get(key);
    if (!stored) return false;
    this.#objects.delete(key);
    this.#record('DELETED', resource, { ...stored.object, metadata: { ...stored.object.metadata, resourceVersion: String(++this.#rv) } });
    return true;
  }

  get(kind: string, name: string, namespace?: string): KubeObject | undefined {
    const resource = this.#resourceOfKind(kind);
    const stored = this.#objects.get(this.#key(resource, namespace, name));
    return stored ? structuredClone(stored.object) : undefined;
  }

  /** Forgets the history up to now: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#history.length = 0;
  }

  /** Ends every watch with a 410 Gone ERROR event, as when the watch cache drops their resourceVersion. */
  expireWatches(): void {
    this.compact();
    for (const w of this.#watches) {
      this.#send(w, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${w.sentRv} (${this.#rv})`) });
      w.res.end();
    }
    this.#watches.clear();
  }

  /** Cuts every watch connection without a word, as a network failure would. */
  dropWatches(): void {
    for (const w of this.#watches) w.res.destroy();
    this.#watches.clear();
  }

  /**
   * Answers the next `count` requests that `matches` (default: every request) with an error
   * `Status` (e.g. 503 ServiceUnavailable, as an API server restarting does).
   */
  failNext(count: number, code = 503, matches: (method: string, path: string, query: Record<string, string>) => boolean = () => true): void {
    this.#failures.push({ count, code, reason: code === 503 ? 'ServiceUnavailable' : 'InternalError', matches });
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that allows bookmarks. */
  bookmark(): void {
    for (const w of this.#watches) {
      if (!w.bookmarks) continue;
      const apiVersion = w.resource.group ? `${w.resource.group}/${w.version}` : w.version;
      this.#send(w, { type: 'BOOKMARK', object: { apiVersion, kind: w.resource.kind, metadata: { resourceVersion: String(this.#rv) } } });
    }
  }

  // --- HTTP -----------------------------------------------------------------------------

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const query = Object.fromEntries(url.searchParams);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          return this.#fail(res, status(400, 'BadRequest', 'the body is not JSON'));
        }
      }
      const contentType = req.headers['content-type'];
      const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, contentType, ...(body !== undefined ? { body } : {}), at: performance.now() };
      this.requests.push(record);
      res.once('finish', () => (record.code = res.statusCode));
      const failure = this.#failures.find((f) => f.count > 0 && f.matches(req.method ?? 'GET', url.pathname, query));
      if (failure) {
        failure.count--;
        return this.#fail(res, status(failure.code, failure.reason, 'injected failure'));
      }
      if (this.#token !== undefined && req.headers.authorization !== `Bearer ${this.#token}`) {
        return this.#fail(res, status(401, 'Unauthorized', 'Unauthorized'));
      }
      try {
        this.#route(req.method ?? 'GET', url.pathname, query, contentType, body, res);
      } catch (err) {
        if (err instanceof StatusError) this.#fail(res, err.status);
        else this.#fail(res, status(500, 'InternalError', (err as Error).message));
      }
    });
  }

  #route(method: string, path: string, query: Record<string, string>, contentType: string | undefined, body: unknown, res: ServerResponse): void {
    const target = this.#parsePath(path);
    if (!target) throw new StatusError(status(404, 'NotFound', `the server could not find the requested resource (${path})`));
    const { resource, version, namespace, name, subresource } = target;
    if (name === undefined) {
      if (method === 'GET' && (query.watch === '1' || query.watch === 'true')) return this.#watch(resource, version, namespace, query, res);
      if (method === 'GET') return this.#json(res, 200, this.#list(resource, version, namespace, query));
      if (method === 'POST') {
        const object = body as KubeObject;
        if (!object?.metadata?.name) throw new StatusError(status(422, 'Invalid', 'metadata.name: Required value'));
        if (resource.namespaced) object.metadata.namespace = namespace ?? object.metadata.namespace ?? 'default';
        if (this.#objects.has(this.#key(resource, object.metadata.namespace, object.metadata.name))) {
          throw new StatusError(status(409, 'AlreadyExists', `${resource.plural}.${resource.group} "${object.metadata.name}" already exists`));
        }
        return this.#json(res, 201, this.#view(resource, version, this.#create(resource, object)));
      }
      throw new StatusError(status(405, 'MethodNotAllowed', `${method} is not supported on a collection`));
    }
    const stored = this.#objects.get(this.#key(resource, namespace, name));
    const notFound = () => new StatusError(status(404, 'NotFound', `${resource.plural}.${resource.group} "${name}" not found`));
    if (subresource === 'status') {
      if (!resource.statusSubresource) throw new StatusError(status(404, 'NotFound', `${resource.plural} has no status subresource`));
      if (!stored) throw notFound();
      if (method === 'GET') return this.#json(res, 200, this.#view(resource, version, stored.object));
      if (method !== 'PATCH') throw new StatusError(status(405, 'MethodNotAllowed', `${method} is not supported on status`));
      if (contentType !== 'application/merge-patch+json') {
        throw new StatusError(status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`));
      }
      const patch = body as { metadata?: { resourceVersion?: string }; status?: unknown };
      const precondition = patch?.metadata?.resourceVersion;
      if (precondition !== undefined && precondition !== stored.object.metadata.resourceVersion) throw new StatusError(conflict(resource, name));
      const merged = mergePatch(structuredClone(stored.object), patch) as KubeObject;
      // The status subresource changes only status.
      const next = { ...structuredClone(stored.object), status: merged.status };
      if (next.status === undefined) delete next.status;
      if (JSON.stringify(next.status) === JSON.stringify(stored.object.status)) return this.#json(res, 200, this.#view(resource, version, stored.object));
      return this.#json(res, 200, this.#view(resource, version, this.#write(resource, next)));
    }
    if (subresource !== undefined) throw new StatusError(status(404, 'NotFound', `no subresource ${subresource}`));
    if (method === 'GET') {
      if (!stored) throw notFound();
      return this.#json(res, 200, this.#view(resource, version, stored.object));
    }
    if (method === 'PUT') {
      if (!stored) throw notFound();
      const object = body as KubeObject;
      const precondition = object?.metadata?.resourceVersion;
      if (precondition !== undefined && precondition !== stored.object.metadata.resourceVersion) throw new StatusError(conflict(resource, name));
      return this.#json(res, 200, this.#view(resource, version, this.#update(resource, stored, object, resource.statusSubresource)));
    }
    if (method === 'DELETE') {
      if (!stored) throw notFound();
      this.remove(resource.kind, name, namespace);
      return this.#json(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
    }
    throw new StatusError(status(405, 'MethodNotAllowed', `${method} is not supported`));
  }

  #parsePath(path: string):
    | { resource: FakeResource; version: string; namespace: string | undefined; name: string | undefined; subresource: string | undefined }
    | undefined {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let rest: string[];
    if (parts[0] === 'api') {
      group = '';
      rest = parts.slice(1);
    } else if (parts[0] === 'apis') {
      group = parts[1] ?? '';
      rest = parts.slice(2);
    } else return undefined;
    const version = rest.shift();
    if (!version) return undefined;
    let namespace: string | undefined;
    // `namespaces/<ns>/<plural>` is a namespaced collection; `namespaces` or `namespaces/<name>` alone is the Namespace kind.
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource] = rest;
    const resource = this.resources.find((r) => r.group === group && r.plural === plural && r.versions.includes(version));
    if (!resource) return undefined;
    if (namespace !== undefined && !resource.namespaced) return undefined;
    return { resource, version, namespace, name, subresource };
  }

  #list(resource: FakeResource, version: string, namespace: string | undefined, query: Record<string, string>): unknown {
    let rv = this.#rv;
    let offset = 0;
    if (query.continue) {
      const token = JSON.parse(Buffer.from(query.continue, 'base64url').toString('utf8')) as { rv: number; offset: number };
      // The snapshot a continue token points into is gone once compacted.
      if (token.rv < this.#compactedRv) {
        throw new StatusError(status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.'));
      }
      rv = token.rv;
      offset = token.offset;
    }
    const items = this.#matching(resource, namespace).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const limit = query.limit ? Number(query.limit) : 0;
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const more = limit > 0 && offset + limit < items.length;
    const builtIn = resource.group === '' || resource.group === 'discovery.k8s.io' || resource.group === 'coordination.k8s.io';
    return {
      apiVersion: resource.group ? `${resource.group}/${version}` : version,
      kind: `${resource.kind}List`,
      metadata: {
        resourceVersion: String(rv),
        ...(more ? { continue: Buffer.from(JSON.stringify({ rv, offset: offset + limit })).toString('base64url') } : {}),
      },
      items: page.map((o) => {
        const view = this.#view(resource, version, o);
        if (!builtIn) return view;
        const { apiVersion: _a, kind: _k, ...rest } = view;
        return rest;
      }),
    };
  }

  #watch(resource: FakeResource, version: string, namespace: string | undefined, query: Record<string, string>, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const watch: ActiveWatch = { resource, version, namespace, bookmarks: query.allowWatchBookmarks === 'true', res, sentRv: 0 };
    const from = query.resourceVersion;
    if (from === undefined || from === '' || from === '0') {
      for (const object of this.#matching(resource, namespace)) this.#send(watch, { type: 'ADDED', object: this.#view(resource, version, object) });
    } else {
      const rv = Number(from);
      if (!Number.isInteger(rv) || rv < this.#compactedRv) {
        this.#send(watch, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.#rv})`) });
        res.end();
        return;
      }
      for (const e of this.#history) {
        if (e.rv > rv && e.resource === resource && inNamespace(e.object, namespace)) {
          this.#send(watch, { type: e.type, object: this.#view(resource, version, e.object) });
        }
      }
    }
    this.#watches.add(watch);
    const timeout = Number(query.timeoutSeconds ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.#watches.delete(watch);
    });
  }

  #send(watch: ActiveWatch, event: { type: string; object: unknown }): void {
    const rv = Number((event.object as KubeObject).metadata?.resourceVersion);
    if (Number.isInteger(rv)) watch.sentRv = rv;
    watch.res.write(JSON.stringify(event) + '\n');
  }

  #json(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  #fail(res: ServerResponse, s: FailureStatus): void {
    this.#json(res, s.code, s);
  }

  // --- storage --------------------------------------------------------------------------

  #key(resource: FakeResource, namespace: string | undefined, name: string): string {
    return `${resource.group}/${resource.plural}/${resource.namespaced ? (namespace ?? 'default') : ''}/${name}`;
  }

  #resourceOfObject(object: KubeObject): FakeResource {
    const slash = object.apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : object.apiVersion.slice(0, slash);
    const resource = this.resources.find((r) => r.kind === object.kind && r.group === group);
    if (!resource) throw new Error(`the fake API server does not serve ${object.apiVersion} ${object.kind}`);
    return resource;
  }

  #resourceOfKind(kind: string): FakeResource {
    const resource = this.resources.find((r) => r.kind === kind);
    if (!resource) throw new Error(`the fake API server does not serve ${kind}`);
    return resource;
  }

  #matching(resource: FakeResource, namespace: string | undefined): KubeObject[] {
    const out: KubeObject[] = [];
    for (const s of this.#objects.values()) if (s.resource === resource && inNamespace(s.object, namespace)) out.push(s.object);
    return out;
  }

  /** The object as served at `version`. */
  #view(resource: FakeResource, version: string, object: KubeObject): KubeObject {
    return { ...structuredClone(object), apiVersion: resource.group ? `${resource.group}/${version}` : version, kind: resource.kind };
  }

  #create(resource: FakeResource, object: KubeObject): KubeObject {
    if (resource.namespaced) object.metadata.namespace ??= 'default';
    else delete object.metadata.namespace;
    object.metadata.uid = randomUUID();
    object.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (resource.generation) object.metadata.generation = 1;
    if (resource.statusSubresource) delete object.status;
    return this.#write(resource, object, 'ADDED');
  }

  #update(resource: FakeResource, stored: Stored, object: KubeObject, keepStatus: boolean): KubeObject {
    const old = stored.object;
    const next: KubeObject = {
      ...structuredClone(object),
      metadata: { ...structuredClone(object.metadata), namespace: old.metadata.namespace, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp },
    };
    if (keepStatus || resource.statusSubresource) {
      if (old.status !== undefined) next.status = structuredClone(old.status);
      else delete next.status;
    }
    if (!resource.namespaced) delete next.metadata.namespace;
    if (resource.generation) {
      const specOf = (o: KubeObject) => {
        const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
        return JSON.stringify(rest);
      };
      next.metadata.generation = (old.metadata.generation ?? 1) + (specOf(old) === specOf(next) ? 0 : 1);
    }
    const { resourceVersion: _rv, ...oldMeta } = old.metadata;
    const { resourceVersion: _nrv, ...newMeta } = next.metadata;
    // A write that changes nothing keeps the resourceVersion and sends no event.
    if (JSON.stringify({ ...old, metadata: oldMeta }) === JSON.stringify({ ...next, metadata: newMeta })) return structuredClone(old);
    return this.#write(resource, next);
  }

  #write(resource: FakeResource, object: KubeObject, type: 'ADDED' | 'MODIFIED' = 'MODIFIED'): KubeObject {
    object.metadata.resourceVersion = String(++this.#rv);
    this.#objects.set(this.#key(resource, object.metadata.namespace, object.metadata.name), { resource, object });
    this.#record(type, resource, object);
    return structuredClone(object);
  }

  #record(type: HistoryEvent['type'], resource: FakeResource, object: KubeObject): void {
    const event: HistoryEvent = { rv: Number(object.metadata.resourceVersion), type, resource, object: structuredClone(object) };
    this.#history.push(event);
    for (const w of this.#watches) {
      if (w.resource === resource && inNamespace(object, w.namespace)) this.#send(w, { type, object: this.#view(resource, w.version, object) });
    }
  }
}

interface FailureStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
}

class StatusError extends Error {
  constructor(readonly status: FailureStatus) {
    super(status.message);
  }
}

function status(code: number, reason: string, message: string): FailureStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function conflict(resource: FakeResource, name: string): FailureStatus {
  return status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}

function inNamespace(object: KubeObject, namespace: string | undefined): boolean {
  return namespace === undefined || object.metadata.namespace === namespace;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
