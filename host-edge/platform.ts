/**
 * The parts of the Workers runtime the edge host uses, typed structurally so the host needs no
 * runtime type package (and runs wherever these shapes exist: workerd, Miniflare, Node tests).
 */

/** `ctx` of a Workers fetch handler. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** The subset of a Workers KV namespace binding the host reads and `putTable` writes. */
export interface KVNamespaceLike {
  get(key: string, type: 'json'): Promise<unknown>;
  getWithMetadata(key: string, type: 'arrayBuffer'): Promise<{ value: ArrayBuffer | null; metadata: unknown }>;
  put(key: string, value: ArrayBuffer | ArrayBufferView | string, options?: { metadata?: unknown }): Promise<void>;
}

/** A worker's `env`: its bindings by name. */
export type WorkerEnv = Record<string, unknown>;
