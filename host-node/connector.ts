/**
 * Opening upstream connections for the undici pools: undici's own connector (TCP, or TLS with
 * the policy's options) with the connect timeout on a Node timer. undici runs timeouts of 1 s
 * and more on a coarse 0.5 s tick, so its own connect timeout fires up to 0.5 s late; a
 * black-holed endpoint is answered 503 when the configured timeout passes instead.
 */
import type { Socket } from 'node:net';
import { buildConnector, errors } from 'undici';

/** undici's connector for `options`, with a connect timeout of `timeoutMs` (0 = none) that fires on time. */
export function timedConnector(options: buildConnector.BuildOptions, timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ ...options, timeout: 0 }) as (opts: buildConnector.Options, callback: buildConnector.Callback) => Socket;
  return (opts, callback) => {
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(opts, (...args) => {
      clearTimeout(timer);
      callback(...args);
    });
    if (timeoutMs > 0 && socket !== undefined) {
      // Destroying with the error undici reports for its own timeout: the socket's 'error' ends the connect.
      timer = setTimeout(() => socket.destroy(new errors.ConnectTimeoutError(`Connect Timeout Error (${opts.hostname}:${opts.port}, timeout: ${timeoutMs}ms)`)), timeoutMs);
      timer.unref();
    }
  };
}
