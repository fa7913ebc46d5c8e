/**
 * The backend every proxy forwards to: `node:http` answering every request with the same
 * 51-byte JSON body over keep-alive (performance.md §3). Sends `{ ready, port }` over IPC.
 * BACKEND=echo uses the conformance echo server (spec-tests/support/echo) instead.
 */
import { createServer } from 'node:http';

const BODY = Buffer.from(JSON.stringify({ ok: true, service: 'echo', pod: 'echo-0-abcd' }).padEnd(51, ' '));

if (process.env.BACKEND === 'echo') {
  const { startHttpEcho } = await import('../../spec-tests/support/echo/index.js');
  const echo = await startHttpEcho({ pod: { namespace: 'infra', pod: 'echo-0-abcd' } });
  process.send!({ ready: true, port: echo.port });
} else {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
      res.end(BODY);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ ready: true, port: (server.address() as { port: number }).port }));
}
process.on('disconnect', () => process.exit(0));
