/**
 * Writes examples/edge/backends.generated.ts: the origins of every Service port the example
 * table sends to, from the example manifests' Services and EndpointSlices. Run by
 * `npm run edge:build` after `switchyard compile examples -o examples/edge/table.bin`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { backendMapFor, backendMapModule } from '../../host-edge/backends.js';
import { compileTable } from '../../src/compile/compile.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { resolvePaths } from '../../src/pipeline.js';

const examples = fileURLToPath(new URL('../', import.meta.url));
const result = await resolvePaths([examples]);
for (const d of result.diagnostics) console.error(formatDiagnostic(d));
const map = backendMapFor(result.objects, compileTable(result.resolution).manifest);
const out = new URL('./backends.generated.ts', import.meta.url);
await writeFile(out, backendMapModule(map));
console.log(JSON.stringify({ file: fileURLToPath(out), services: Object.keys(map).length }));
