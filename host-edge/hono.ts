/**
 * Switchyard as a hono middleware: requests a route takes are answered by the gateway (proxied,
 * redirected, ...); the others go to the next handler (`fallthrough: true`, the default) or get
 * the gateway's 404. Requests whose target the gateway refuses (400, escaped-slash redirect)
 * are answered in both modes, so the application behind never sees a non-canonical path
 * the gateway would have treated differently.
 *
 *   app.use(switchyard({ table, wasm, backends }));
 *
 * Only hono's types are used: the middleware adds no runtime dependency.
 */
import type { MiddlewareHandler } from 'hono';
import { EdgeGateway, type EdgeOptions } from './gateway.js';
import type { ExecutionContextLike, WorkerEnv } from './platform.js';

export interface SwitchyardMiddlewareOptions extends EdgeOptions {
  /** Pass requests no route takes to `next()` (true, default) or answer them 404 (false). */
  fallthrough?: boolean;
}

/** `c.executionCtx` throws where the platform has none (e.g. Node): mirrors then run unawaited. */
function executionContextOf(c: { executionCtx: ExecutionContextLike }): ExecutionContextLike | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

export function switchyard(options: SwitchyardMiddlewareOptions): MiddlewareHandler {
  const gateway = new EdgeGateway(options);
  const fallthrough = options.fallthrough ?? true;
  return async (c, next) => {
    const result = await gateway.handle(c.req.raw, c.env as WorkerEnv | undefined, executionContextOf(c));
    if (result.kind === 'no-route' && fallthrough) {
      await next();
      return;
    }
    return result.response;
  };
}
