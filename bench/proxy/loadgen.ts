/**
 * The load generator process: autocannon against one URL, bounded by duration and by an overall
 * request count, printing the result as one JSON line (requests, req/s, p50/p99 ms).
 * Input: LOAD={"url","seconds","connections","maxRequests","headers"} in the environment.
 */
import autocannon from 'autocannon';

const spec = JSON.parse(process.env.LOAD ?? '{}') as { url: string; seconds: number; connections: number; maxRequests: number; headers?: Record<string, string> };

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  maxOverallRequests: Math.max(spec.maxRequests, spec.connections),
  pipelining: 1,
  headers: spec.headers,
  timeout: 10,
});
const requests = result.requests.total;
const ok = (result as unknown as Record<string, number>)['2xx'] ?? 0;
process.stdout.write(
  JSON.stringify({
    requests,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  }) + '\n',
);
