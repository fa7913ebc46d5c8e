/**
 * The Cloudflare Workers entry: `export default createWorker({ table, wasm, backends })`.
 * The core is instantiated once per isolate, on the first request, and cached (a KV table
 * replaces it when one is configured and published).
 */
import { EdgeGateway, type EdgeOptions } from './gateway.js';
import type { ExecutionContextLike, WorkerEnv } from './platform.js';

export interface WorkerOptions extends EdgeOptions {
  /**
   * Answers requests no route takes (and all requests while no table is loaded); default: the
   * gateway's 404. May forward to another origin, serve assets, etc.
   */
  notFound?: (request: Request, env: WorkerEnv, ctx: ExecutionContextLike) => Response | Promise<Response>;
}

export interface SwitchyardWorker {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContextLike): Promise<Response>;
}

export function createWorker(options: WorkerOptions): SwitchyardWorker {
  const gateway = new EdgeGateway(options);
  const { notFound } = options;
  return {
    async fetch(request, env, ctx) {
      const result = await gateway.handle(request, env, ctx);
      if (result.kind === 'no-route' && notFound) return notFound(request, env, ctx);
      return result.response;
    },
  };
}
