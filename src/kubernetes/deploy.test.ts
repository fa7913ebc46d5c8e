import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../pipeline.js';
import { RESOURCES, STATUS_KINDS } from './resources.js';

const DEPLOY = fileURLToPath(new URL('../../deploy', import.meta.url));

async function documents(): Promise<any[]> {
  const files = (await readdir(DEPLOY)).filter((f) => f.endsWith('.yaml')).sort();
  const docs: any[] = [];
  for (const f of files) docs.push(...parseAllDocuments(await readFile(join(DEPLOY, f), 'utf8')).map((d) => d.toJS()));
  return docs;
}

describe('deploy/', () => {
  it('passes `switchyard validate` for the kinds it reads', async () => {
    const result = await resolvePaths([DEPLOY]);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.objects.map((o) => o.object.kind).sort()).toEqual(['GatewayClass', 'Namespace', 'Service']);
  });

  it('grants list/watch on every kind read, status writes on every status kind, and nothing more', async () => {
    const role = (await documents()).find((d) => d.kind === 'ClusterRole');
    const grants = new Map<string, Set<string>>();
    for (const rule of role.rules) for (const g of rule.apiGroups) for (const r of rule.resources) grants.set(`${g}/${r}`, new Set(rule.verbs));
    for (const r of RESOURCES) {
      expect([...(grants.get(`${r.group}/${r.plural}`) ?? [])].sort(), `${r.plural}`).toEqual(['list', 'watch']);
      const status = grants.get(`${r.group}/${r.plural}/status`);
      if (STATUS_KINDS.has(r.kind)) expect([...(status ?? [])].sort(), `${r.plural}/status`).toEqual(['get', 'patch', 'update']);
      else expect(status).toBeUndefined();
    }
    // Writes only on status subresources.
    for (const [resource, verbs] of grants) if (!resource.endsWith('/status')) expect([...verbs].sort(), resource).toEqual(['list', 'watch']);
    const lease = (await documents()).find((d) => d.kind === 'Role');
    expect(lease.metadata.namespace).toBe('switchyard-system');
    expect(lease.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
  });

  it('runs two non-root replicas probed on the admin port', async () => {
    const deployment = (await documents()).find((d) => d.kind === 'Deployment');
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const [container] = pod.containers;
    expect(container.args).toContain('--kubernetes');
    expect(container.args).toContain('--admin=0.0.0.0:9901');
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(container.ports.find((p: any) => p.name === 'admin').containerPort).toBe(9901);
    expect(container.resources.requests).toBeDefined();
  });
});
