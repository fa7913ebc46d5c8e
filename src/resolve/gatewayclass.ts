/**
 * GatewayClass phase: which classes are ours, and their status. Switchyard takes no
 * parameters, so a class with a `parametersRef` is not accepted (InvalidParameters).
 */
import type { GatewayClass } from '../model/gateway-api.js';
import type { Catalog } from './catalog.js';
import { cond, type ConditionSpec } from './conditions.js';

export interface GatewayClassState {
  gatewayClass: GatewayClass;
  accepted: boolean;
  conditions: ConditionSpec[];
}

export function resolveGatewayClasses(catalog: Catalog, controllerName: string): Map<string, GatewayClassState> {
  const out = new Map<string, GatewayClassState>();
  for (const gc of catalog.gatewayClasses) {
    if (gc.spec.controllerName !== controllerName) continue;
    const p = gc.spec.parametersRef;
    const accepted = !p;
    const conditions: ConditionSpec[] = [
      p
        ? cond(
            'Accepted',
            false,
            'InvalidParameters',
            `parametersRef ${p.group ? `${p.group}/` : ''}${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name} is not supported: this controller takes no parameters`,
          )
        : cond('Accepted', true, 'Accepted', `GatewayClass is accepted by ${controllerName}`),
      cond('SupportedVersion', true, 'SupportedVersion', 'Gateway API v1.6 is supported'),
    ];
    out.set(gc.metadata.name, { gatewayClass: gc, accepted, conditions });
  }
  return out;
}
