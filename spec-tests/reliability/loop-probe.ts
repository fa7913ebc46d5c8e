/**
 * Loaded into a gateway process (`--import`) by the B14 soak: every SOAK_PROBE_MS (default
 * 10 s) it prints one JSON line on stdout with the process's own figures, which the soak reads:
 * `{"event":"probe","rssMiB":..,"fds":..,"lagP99Ms":..}` (open file descriptors from
 * /proc/self/fd, event-loop delay p99 over the interval).
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const every = Number(process.env.SOAK_PROBE_MS ?? 10_000);
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
setInterval(() => {
  const line = {
    event: 'probe',
    rssMiB: Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10,
    fds: readdirSync('/proc/self/fd').length,
    lagP99Ms: Math.round(delay.percentile(99) / 1e4) / 100,
  };
  delay.reset();
  process.stdout.write(JSON.stringify(line) + '\n');
}, every).unref();
