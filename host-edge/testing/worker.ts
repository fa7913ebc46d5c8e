/**
 * The worker the edge tests run in workerd: no bundled table; the table and its origins come
 * from the KV namespace SWITCHYARD_TABLE, read on every request so a test's `putTable` takes
 * effect at once. Listener port 80, as the conformance Gateways'; the Gateway it serves is the
 * SWITCHYARD_GATEWAY binding when set (a test starts one worker per Gateway).
 *
 * With the binding SWITCHYARD_REPORT_TARGET set, every response carries the request target as
 * the worker received it (path and query of `request.url`) in RECEIVED_TARGET_HEADER: what is
 * left of the raw target once the Workers runtime has parsed it, for differential runs.
 */
import wasm from '../../build/switchyard.wasm';
import { targetOfUrl } from '../gateway.js';
import type { ExecutionContextLike, WorkerEnv } from '../platform.js';
import { createWorker, type SwitchyardWorker } from '../worker.js';
import { RECEIVED_TARGET_HEADER } from './received-target.js';

let worker: SwitchyardWorker | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContextLike): Promise<Response> {
    const gateway = env.SWITCHYARD_GATEWAY;
    worker ??= createWorker({ wasm, port: 80, kv: { refreshSeconds: 0 }, ...(typeof gateway === 'string' ? { gateway } : {}) });
    const response = await worker.fetch(request, env, ctx);
    if (env.SWITCHYARD_REPORT_TARGET === undefined) return response;
    const reported = new Response(response.body, response);
    reported.headers.set(RECEIVED_TARGET_HEADER, targetOfUrl(request.url));
    return reported;
  },
};
