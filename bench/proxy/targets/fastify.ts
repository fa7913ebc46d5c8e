/**
 * fastify 5 + @fastify/reply-from (undici pool, 64 connections) forwarding every request to the
 * backend. Input: BACKEND_PORT. Sends `{ ready, port }` over IPC.
 */
import replyFrom from '@fastify/reply-from';
import Fastify from 'fastify';

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
await app.register(replyFrom, { base: `http://127.0.0.1:${process.env.BACKEND_PORT}`, undici: { connections: 64, pipelining: 1 } });
app.all('/*', (request, reply) => {
  void reply.from(request.url);
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.send!({ ready: true, port: Number(new URL(address).port) });
process.on('disconnect', () => process.exit(0));
