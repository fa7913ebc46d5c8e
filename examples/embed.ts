/**
 * Switchyard embedded as a library: compile the bundled example manifests and ask the router
 * where a few requests go. Run with `npx tsx examples/embed.ts`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { compile, createRouter, formatDiagnostic } from '../src/index.js';

const dir = new URL('./', import.meta.url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
const inputs = await Promise.all(files.map(async (f) => ({ file: `examples/${f}`, text: await readFile(new URL(f, dir), 'utf8') })));

const { table, hash, diagnostics } = compile(inputs);
for (const d of diagnostics) console.error(formatDiagnostic(d));
console.log(`table ${hash.slice(0, 12)}… ${table.byteLength} bytes`);

const router = await createRouter(table, { seed: 1 });
const requests = [
  { method: 'GET', host: 'shop.example.com', path: '/api/items?page=2', port: 8080, headers: {} },
  { method: 'GET', host: 'shop.example.com', path: '/api/items', port: 8080, headers: { 'x-canary': 'always' } },
  { method: 'GET', host: 'shop.example.com', path: '/api/health', port: 8080, headers: {} },
  { method: 'GET', host: 'nowhere.example.com', path: '/', port: 8080, headers: {} },
];
for (const request of requests) {
  const d = router.match(request);
  const where = d.matched ? `${d.id} -> ${d.backend ? `${d.backend.namespace}/${d.backend.name}:${d.backend.port}` : 'no backend (500)'}` : `no route (${d.reason})`;
  console.log(`${request.method} ${request.host}${request.path} ${JSON.stringify(request.headers)}: ${where}`);
}
