/**
 * The minimal Node proxy of performance.md §3: `http.createServer` + an undici 7 `Pool`
 * (64 connections) using `pool.stream()`, hop-by-hop headers dropped both ways. No routing.
 * Input: BACKEND_PORT. Sends `{ ready, port }` over IPC.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);
const pool = new Pool(`http://127.0.0.1:${process.env.BACKEND_PORT}`, { connections: 64 });

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in headers) if (!HOP.has(k) && headers[k] !== undefined) out[k] = headers[k]!;
  return out;
}

const server = createServer((req, res) => {
  const bodyless = req.method === 'GET' || req.method === 'HEAD';
  pool.stream(
    { path: req.url!, method: req.method as 'GET', headers: forwardable(req.headers), body: bodyless ? null : req },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, forwardable(headers));
      return res;
    },
    (err) => {
      if (err && !res.headersSent) {
        res.writeHead(502).end();
      } else if (err) res.destroy();
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send!({ ready: true, port: (server.address() as { port: number }).port }));
process.on('disconnect', () => process.exit(0));
