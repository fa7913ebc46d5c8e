/**
 * The bundled examples as the demo serves them: the same manifests, with each EndpointSlice of
 * a demo backend's Service pointed at the port that backend actually listens on (the files name
 * 127.0.0.1:9101-9103; the demo lets the system pick free ports so it starts whatever else runs
 * on the machine). The result is written to a fresh directory for the gateway to load.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** `namespace/service` -> the port its demo backend listens on. */
export type PortMap = ReadonlyMap<string, number>;

/** Rewrites one multi-document YAML text; returns it unchanged when it has no matching slice. */
export function pointSlicesAt(text: string, ports: PortMap, host = '127.0.0.1'): string {
  const docs = parseAllDocuments(text);
  let changed = false;
  for (const doc of docs) {
    const object = doc.toJS() as { kind?: string; metadata?: { namespace?: string; labels?: Record<string, string> } } | null;
    if (object?.kind !== 'EndpointSlice') continue;
    const service = object.metadata?.labels?.[SERVICE_NAME_LABEL];
    const port = service === undefined ? undefined : ports.get(`${object.metadata?.namespace ?? 'default'}/${service}`);
    if (port === undefined) continue;
    const slicePorts = doc.get('ports') as { items: unknown[] } | undefined;
    for (let i = 0; i < (slicePorts?.items.length ?? 0); i++) doc.setIn(['ports', i, 'port'], port);
    const endpoints = doc.get('endpoints') as { items: unknown[] } | undefined;
    for (let i = 0; i < (endpoints?.items.length ?? 0); i++) doc.setIn(['endpoints', i, 'addresses'], [host]);
    changed = true;
  }
  return changed ? docs.map((d) => d.toString()).join('') : text;
}

/** Copies the manifests of `dir` (top level `.yaml`/`.yml`/`.json`) into a new temporary directory, slices rewritten. */
export async function writeDemoManifests(dir: string, ports: PortMap): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'switchyard-demo-'));
  for (const name of (await readdir(dir)).sort()) {
    if (!/\.(ya?ml|json)$/.test(name)) continue;
    await writeFile(join(out, name), pointSlicesAt(await readFile(join(dir, name), 'utf8'), ports));
  }
  return out;
}
