/**
 * Which Ingresses Switchyard serves: those whose class (`spec.ingressClassName`, else the
 * deprecated `kubernetes.io/ingress.class` annotation, else the default IngressClass) is an
 * IngressClass with `spec.controller: switchyard.dev/ingress-controller`.
 */
import { DEFAULT_CLASS_ANNOTATION, INGRESS_CONTROLLER, LEGACY_CLASS_ANNOTATION, type Ingress, type IngressClass } from './model.js';

export type ClassDecision = { ours: true; className: string } | { ours: false; reason: string };

export function ingressClassOf(ingress: Ingress, classes: readonly IngressClass[], controller: string = INGRESS_CONTROLLER): ClassDecision {
  const named = ingress.spec.ingressClassName ?? ingress.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (named !== undefined && named !== '') {
    const cls = classes.find((c) => c.metadata.name === named);
    if (!cls) return { ours: false, reason: `IngressClass ${JSON.stringify(named)} does not exist` };
    if (cls.spec.controller !== controller) return { ours: false, reason: `IngressClass ${JSON.stringify(named)} belongs to controller ${JSON.stringify(cls.spec.controller)}, not ${JSON.stringify(controller)}` };
    return { ours: true, className: named };
  }
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  if (defaults.length === 0) return { ours: false, reason: 'it names no IngressClass and no IngressClass is marked default' };
  if (defaults.length > 1) {
    // The API server's admission then refuses to default the class; the Ingress stays classless.
    return { ours: false, reason: `it names no IngressClass and ${defaults.length} IngressClasses are marked default` };
  }
  const [d] = defaults;
  if (d.spec.controller !== controller) return { ours: false, reason: `the default IngressClass ${JSON.stringify(d.metadata.name)} belongs to controller ${JSON.stringify(d.spec.controller)}` };
  return { ours: true, className: d.metadata.name };
}
