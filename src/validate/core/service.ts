/**
 * Service: its type, ports (numbers, protocols, names, target ports) and the external name
 * of an ExternalName Service, with the API server's defaults (type ClusterIP, protocol TCP,
 * target port = port).
 */
import { z } from 'zod';
import type { Service } from '../../model/core.js';
import { dns1035LabelErrors, dns1123LabelErrors, ianaServiceNameErrors } from '../names.js';
import { coreObject } from '../object.js';
import { addSchemaIssue } from '../schema.js';
import { PORT_RANGE, invalid, isPortNumber } from './messages.js';

const servicePort = z.looseObject({
  name: z.string().optional(),
  // Listed as the API server sorts them in its message.
  protocol: z.enum(['SCTP', 'TCP', 'UDP']).default('TCP'),
  port: z.int(),
  targetPort: z.union([z.int(), z.string()]).optional(),
  appProtocol: z.string().optional(),
  nodePort: z.int().optional(),
});
type ServicePort = z.output<typeof servicePort>;

const serviceSpec = z
  .looseObject({
    type: z.enum(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']).default('ClusterIP'),
    ports: z.array(servicePort).optional(),
    selector: z.record(z.string(), z.string()).optional(),
    externalName: z.string().optional(),
    clusterIP: z.string().optional(),
  })
  .superRefine((spec, ctx) => {
    const ports = spec.ports ?? [];
    const headless = spec.clusterIP === 'None';
    if (ports.length === 0 && !headless && spec.type !== 'ExternalName') addSchemaIssue(ctx, 'Required value', ['ports']);
    if (spec.type === 'ExternalName' && !spec.externalName) addSchemaIssue(ctx, 'Required value', ['externalName']);
    const names = new Set<string>();
    ports.forEach((port, i) => checkPort(port, ports.length > 1, names, (message, field) => addSchemaIssue(ctx, message, ['ports', i, field])));
  })
  .transform((spec) =>
    spec.ports === undefined ? spec : { ...spec, ports: spec.ports.map((p) => ({ ...p, targetPort: defaultTargetPort(p) })) },
  );

function checkPort(port: ServicePort, named: boolean, names: Set<string>, report: (message: string, field: string) => void): void {
  if (named && !port.name) report('Required value', 'name');
  if (port.name) {
    for (const msg of dns1123LabelErrors(port.name)) report(invalid(port.name, msg), 'name');
    if (names.has(port.name)) report(`Duplicate value: ${JSON.stringify(port.name)}`, 'name');
    names.add(port.name);
  }
  if (!isPortNumber(port.port)) report(invalid(port.port, PORT_RANGE), 'port');
  const target = port.targetPort;
  if (typeof target === 'number' && target !== 0 && !isPortNumber(target)) report(invalid(target, PORT_RANGE), 'targetPort');
  if (typeof target === 'string' && target !== '') {
    for (const msg of ianaServiceNameErrors(target)) report(invalid(target, msg), 'targetPort');
  }
}

/** An unset (or zero) target port is the port itself. */
function defaultTargetPort(port: ServicePort): number | string {
  return port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '' ? port.port : port.targetPort;
}

export const service = coreObject('Service', { spec: serviceSpec.prefault({}) }, dns1035LabelErrors) satisfies z.ZodType<Service>;
