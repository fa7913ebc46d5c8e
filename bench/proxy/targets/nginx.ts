/**
 * nginx as the reference proxy (performance.md §3): one process (`master_process off`,
 * `worker_processes 1`), upstream keep-alive 64, HTTP/1.1 upstream, access log off.
 * Only used when `nginx` is on PATH.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function nginxConfig(listenPort: number, backendPort: number): Promise<{ prefix: string; conf: string }> {
  const prefix = await mkdtemp(join(tmpdir(), 'switchyard-bench-nginx-'));
  await mkdir(join(prefix, 'logs'));
  const conf = join(prefix, 'nginx.conf');
  await writeFile(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
error_log ${join(prefix, 'logs/error.log')} error;
pid ${join(prefix, 'nginx.pid')};
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix};
  proxy_temp_path ${prefix};
  fastcgi_temp_path ${prefix};
  uwsgi_temp_path ${prefix};
  scgi_temp_path ${prefix};
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${listenPort};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  return { prefix, conf };
}
