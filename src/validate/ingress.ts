/**
 * Ingress (`networking.k8s.io/v1`), as the API server's own validation
 * (`pkg/apis/networking/validation`) checks it: a `defaultBackend` or rules; per path a
 * required `pathType` and, for Exact and Prefix, an absolute path without `//`, `/./`, `/../`
 * or an encoded slash; every backend names a Service (name and port, by number or by name)
 * or a resource, never both; hosts are DNS names (a leading `*.` label allowed), not IPs.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Ingress } from '../ingress/model.js';
import { invalid, isPortNumber, PORT_RANGE } from './core/messages.js';
import { formatValue } from './issues.js';
import { dns1035LabelErrors, dns1123SubdomainErrors, ianaServiceNameErrors } from './names.js';
import { coreObject } from './object.js';
import { addSchemaIssue } from './schema.js';

type Path = (string | number)[];
type Report = (message: string, path: Path) => void;

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];
const WILDCARD_SUBDOMAIN = String.raw`\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`;

const backend = z.looseObject({
  service: z
    .looseObject({
      name: z.string().optional(),
      port: z.looseObject({ name: z.string().optional(), number: z.int().optional() }).optional(),
    })
    .optional(),
  resource: z.looseObject({ apiGroup: z.string().optional(), kind: z.string().optional(), name: z.string().optional() }).optional(),
});
type Backend = z.output<typeof backend>;

const ingressPath = z.looseObject({ path: z.string().optional(), pathType: z.string().optional(), backend: backend.optional() });

const ingressSpec = z
  .looseObject({
    ingressClassName: z.string().optional(),
    defaultBackend: backend.optional(),
    tls: z.array(z.looseObject({ hosts: z.array(z.string()).optional(), secretName: z.string().optional() })).optional(),
    rules: z
      .array(z.looseObject({ host: z.string().optional(), http: z.looseObject({ paths: z.array(ingressPath).optional() }).optional() }))
      .optional(),
  })
  .superRefine((spec, ctx) => {
    const report: Report = (message, path) => addSchemaIssue(ctx, message, path);
    const rules = spec.rules ?? [];
    if (rules.length === 0 && spec.defaultBackend === undefined) {
      report(`Invalid value: ${formatValue(rules)}: either \`defaultBackend\` or \`rules\` must be specified`, []);
    }
    if (spec.defaultBackend !== undefined) checkBackend(spec.defaultBackend, ['defaultBackend'], report);
    if (spec.ingressClassName !== undefined) {
      for (const msg of dns1123SubdomainErrors(spec.ingressClassName)) report(invalid(spec.ingressClassName, msg), ['ingressClassName']);
    }
    (spec.tls ?? []).forEach((tls, i) =>
      (tls.hosts ?? []).forEach((host, j) => checkHost(host, ['tls', i, 'hosts', j], report)),
    );
    rules.forEach((rule, i) => {
      if (rule.host !== undefined && rule.host !== '') checkHost(rule.host, ['rules', i, 'host'], report);
      if (rule.http === undefined) return;
      const paths = rule.http.paths ?? [];
      if (paths.length === 0) report('Required value', ['rules', i, 'http', 'paths']);
      paths.forEach((p, j) => {
        const at: Path = ['rules', i, 'http', 'paths', j];
        checkPath(p.path, p.pathType, at, report);
        if (p.backend === undefined) report('Required value', [...at, 'backend']);
        else checkBackend(p.backend, [...at, 'backend'], report);
      });
    });
  });

function checkHost(host: string, at: Path, report: Report): void {
  if (isIP(host) !== 0) {
    report(invalid(host, 'must be a DNS name, not an IP address'), at);
    return;
  }
  if (host.startsWith('*')) {
    if (!new RegExp(`^${WILDCARD_SUBDOMAIN}$`).test(host) || host.length > 253) {
      report(
        invalid(
          host,
          `a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${WILDCARD_SUBDOMAIN}')`,
        ),
        at,
      );
    }
    return;
  }
  for (const msg of dns1123SubdomainErrors(host)) report(invalid(host, msg), at);
}

function checkPath(path: string | undefined, pathType: string | undefined, at: Path, report: Report): void {
  if (pathType === undefined || pathType === '') {
    report('Required value: pathType must be specified', [...at, 'pathType']);
    return;
  }
  if (!PATH_TYPES.includes(pathType)) {
    report(`Unsupported value: ${formatValue(pathType)}: supported values: ${PATH_TYPES.map((t) => `"${t}"`).join(', ')}`, [...at, 'pathType']);
    return;
  }
  const value = path ?? '';
  if (pathType === 'ImplementationSpecific') {
    if (value !== '' && !value.startsWith('/')) report(invalid(value, 'must be an absolute path'), [...at, 'path']);
    return;
  }
  if (!value.startsWith('/')) {
    report(invalid(value, 'must be an absolute path'), [...at, 'path']);
    return;
  }
  for (const seq of INVALID_SEQUENCES) if (value.includes(seq)) report(invalid(value, `must not contain '${seq}'`), [...at, 'path']);
  for (const suffix of INVALID_SUFFIXES) if (value.endsWith(suffix)) report(invalid(value, `cannot end with '${suffix}'`), [...at, 'path']);
}

function checkBackend(b: Backend, at: Path, report: Report): void {
  if (b.service !== undefined && b.resource !== undefined) {
    report(invalid('', 'cannot set both resource and service backends'), at);
    return;
  }
  if (b.service === undefined && b.resource === undefined) {
    report('Required value: one of `resource` or `service` must be set', at);
    return;
  }
  if (b.resource !== undefined) {
    if (!b.resource.kind) report('Required value', [...at, 'resource', 'kind']);
    if (!b.resource.name) report('Required value', [...at, 'resource', 'name']);
    return;
  }
  const svc = b.service!;
  const svcAt: Path = [...at, 'service'];
  if (!svc.name) report('Required value', [...svcAt, 'name']);
  else for (const msg of dns1035LabelErrors(svc.name)) report(invalid(svc.name, msg), [...svcAt, 'name']);
  const port = svc.port;
  const hasName = port?.name !== undefined && port.name !== '';
  const hasNumber = port?.number !== undefined && port.number !== 0;
  if (hasName && hasNumber) report(invalid('', 'cannot set both port name & port number'), [...svcAt, 'port']);
  else if (hasName) for (const msg of ianaServiceNameErrors(port!.name!)) report(invalid(port!.name, msg), [...svcAt, 'port', 'name']);
  else if (hasNumber) {
    if (!isPortNumber(port!.number!)) report(invalid(port!.number, PORT_RANGE), [...svcAt, 'port', 'number']);
  } else report('Required value: port name or number is required', [...svcAt, 'port']);
}

export const ingress = coreObject('Ingress', { spec: ingressSpec.prefault({}) }) as unknown as z.ZodType<Ingress>;
