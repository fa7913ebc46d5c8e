/**
 * The worker the edge tests run in workerd: no bundled table; the table and its origins come
 * from the KV namespace SWITCHYARD_TABLE, read on every request so a test's `putTable` takes
 * effect at once. Listener port 80, as the conformance Gateways'; the Gateway it serves is the
 * SWITCHYARD_GATEWAY binding when set (a test starts one worker per Gateway).
 */
import wasm from '../../build/switchyard.wasm';
import type { ExecutionContextLike, WorkerEnv } from '../platform.js';
import { createWorker, type SwitchyardWorker } from '../worker.js';

let worker: SwitchyardWorker | undefined;

export default {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContextLike): Promise<Response> {
    const gateway = env.SWITCHYARD_GATEWAY;
    worker ??= createWorker({ wasm, port: 80, kv: { refreshSeconds: 0 }, ...(typeof gateway === 'string' ? { gateway } : {}) });
    return worker.fetch(request, env, ctx);
  },
};
