/**
 * BackendTLSPolicy phase. A policy targets Services (optionally one port by `sectionName`); its
 * ancestors are the Gateways of ours that route to a targeted Service. Policies with the same
 * target (same Service and the same, or no, sectionName) conflict: the oldest wins (ties by
 * namespace/name), the others are Accepted=False/Conflicted. A sectionName policy and a
 * whole-Service policy do not conflict; the sectionName one is more specific for its port.
 * CA references must be core ConfigMaps (else InvalidKind) holding a parseable `ca.crt` (else
 * InvalidCACertificateRef); when none is usable the policy is Accepted=False/NoValidCACertificate.
 */
import type { BackendTLSPolicy } from '../model/gateway-api.js';
import { nsName } from './catalog.js';
import { cond, type ConditionSpec } from './conditions.js';
import type { ResolveContext } from './context.js';
import type { BackendTLS, ResolvedBackend } from './types.js';

export interface PolicyState {
  policy: BackendTLSPolicy;
  /** `namespace/name` of every targeted Service. */
  services: string[];
  accepted: ConditionSpec;
  resolvedRefs: ConditionSpec;
  tls: BackendTLS;
}

export interface PolicyResolution {
  policies: PolicyState[];
  /** The policy that applies to a Service port, if any. */
  forBackend(namespace: string, service: string, portName: string | undefined): PolicyState | undefined;
}

function targetKey(namespace: string, service: string, section: string | undefined): string {
  return `${nsName(namespace, service)}#${section ?? ''}`;
}

export function resolvePolicies(ctx: ResolveContext): PolicyResolution {
  const sorted = [...ctx.catalog.backendTLSPolicies].sort((a, b) => ctx.catalog.compareCreation(a, b));
  const winners = new Map<string, BackendTLSPolicy>();
  for (const p of sorted) {
    for (const t of p.spec.targetRefs) {
      if (t.group !== '' || t.kind !== 'Service') continue;
      const key = targetKey(p.metadata.namespace as string, t.name, t.sectionName);
      if (!winners.has(key)) winners.set(key, p);
    }
  }
  const states = new Map<BackendTLSPolicy, PolicyState>();
  for (const p of ctx.catalog.backendTLSPolicies) {
    const ns = p.metadata.namespace as string;
    const lostTo = p.spec.targetRefs
      .filter((t) => t.group === '' && t.kind === 'Service')
      .map((t) => ({ t, winner: winners.get(targetKey(ns, t.name, t.sectionName)) }))
      .find((x) => x.winner !== p);
    const { pems, problems } = caCertificates(ctx, p);
    const wellKnown = p.spec.validation.wellKnownCACertificates;
    const usable = pems.length > 0 || (wellKnown === 'System' && problems.length === 0);
    let accepted: ConditionSpec;
    if (lostTo) {
      const w = lostTo.winner!;
      accepted = cond(
        'Accepted',
        false,
        'Conflicted',
        `BackendTLSPolicy ${w.metadata.namespace}/${w.metadata.name} already targets Service ${ns}/${lostTo.t.name}${lostTo.t.sectionName ? ` port ${lostTo.t.sectionName}` : ''} and takes precedence`,
      );
    } else if (!usable) {
      accepted = cond('Accepted', false, 'NoValidCACertificate', problems.length > 0 ? `No valid CA certificate: ${problems.map((x) => x.message).join('; ')}` : 'No CA certificate is configured');
    } else {
      accepted = cond('Accepted', true, 'Accepted', 'BackendTLSPolicy is accepted');
    }
    const resolvedRefs =
      problems.length > 0
        ? cond('ResolvedRefs', false, problems[0].reason, problems.map((x) => x.message).join('; '))
        : cond('ResolvedRefs', true, 'ResolvedRefs', 'All CA certificate references are resolved');
    const tls: BackendTLS = {
      policy: nsName(ns, p.metadata.name),
      hostname: p.spec.validation.hostname,
      caCertificates: pems,
      ...(wellKnown ? { wellKnownCACertificates: wellKnown } : {}),
      subjectAltNames: (p.spec.validation.subjectAltNames ?? []).map((s) => ({ type: s.type, value: (s.type === 'URI' ? s.uri : s.hostname) ?? '' })),
      ...(usable ? {} : { error: accepted.message }),
    };
    const services = [...new Set(p.spec.targetRefs.filter((t) => t.group === '' && t.kind === 'Service').map((t) => nsName(ns, t.name)))];
    states.set(p, { policy: p, services, accepted, resolvedRefs, tls });
  }
  return {
    policies: ctx.catalog.backendTLSPolicies.map((p) => states.get(p)!),
    forBackend(namespace, service, portName) {
      const specific = portName !== undefined ? winners.get(targetKey(namespace, service, portName)) : undefined;
      const p = specific ?? winners.get(targetKey(namespace, service, undefined));
      return p ? states.get(p) : undefined;
    },
  };
}

function caCertificates(ctx: ResolveContext, p: BackendTLSPolicy): { pems: string[]; problems: { reason: string; message: string }[] } {
  const ns = p.metadata.namespace as string;
  const pems: string[] = [];
  const problems: { reason: string; message: string }[] = [];
  for (const ref of p.spec.validation.caCertificateRefs ?? []) {
    if (ref.group !== '' || ref.kind !== 'ConfigMap') {
      problems.push({ reason: 'InvalidKind', message: `caCertificateRef ${ref.group ? `${ref.group}/` : ''}${ref.kind} ${ref.name} is not a core ConfigMap` });
      continue;
    }
    const cm = ctx.catalog.configMap(ns, ref.name);
    if (!cm) {
      problems.push({ reason: 'InvalidCACertificateRef', message: `ConfigMap ${ns}/${ref.name} does not exist` });
      continue;
    }
    const bundle = ctx.caBundle(cm);
    if (!bundle.ok) problems.push({ reason: 'InvalidCACertificateRef', message: bundle.message });
    else pems.push(bundle.value);
  }
  return { pems, problems };
}

/** Sets `tls` on a resolved backend from the policy that applies to its Service port. */
export function applyBackendTLS(policies: PolicyResolution, backend: ResolvedBackend): void {
  if ('problem' in backend.target) return;
  const { service, port } = backend.target;
  const p = policies.forBackend(service.metadata.namespace as string, service.metadata.name, port.name);
  if (p) backend.tls = p.tls;
}
