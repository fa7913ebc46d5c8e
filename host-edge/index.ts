/**
 * The edge host: the same compiled route table and core as the Node gateway, in Cloudflare
 * Workers (`createWorker`) or any fetch-based runtime through hono (`switchyard`).
 * Build-time helpers (backend maps from manifests, edge findings) live in backends.ts and
 * findings.ts, which need Node and are not part of a worker bundle.
 */
export { createWorker, type SwitchyardWorker, type WorkerOptions } from './worker.js';
export { switchyard, type SwitchyardMiddlewareOptions } from './hono.js';
export { EdgeGateway, gatewayResponse, targetOfUrl, type EdgeOptions, type EdgeResult } from './gateway.js';
export { backendKey, OriginDirectory, type BackendMap } from './backend-map.js';
export { putTable, sha256Hex, DEFAULT_KV_BINDING, DEFAULT_KV_KEY, DEFAULT_REFRESH_SECONDS, type KvTableOptions } from './table-source.js';
export type { ExecutionContextLike, KVNamespaceLike, WorkerEnv } from './platform.js';
