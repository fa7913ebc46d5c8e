/**
 * Listener validation, one listener at a time (Gateway listeners and ListenerSet listeners
 * alike): protocol, TLS mode, allowed route kinds, certificate references and the Gateway's
 * frontend client-certificate validation for the listener's port. Conflicts between listeners
 * are judged afterwards (conflicts.ts) because they depend on precedence across objects.
 */
import type { Gateway, Listener, ListenerSet, ObjectReference, RouteGroupKind } from '../model/gateway-api.js';
import { GATEWAY_GROUP } from './catalog.js';
import { cond, type ConditionSpec } from './conditions.js';
import type { ResolveContext } from './context.js';
import { referenceAllowed } from './referencegrant.js';
import type { ResolvedCertificate } from './types.js';

/** Route kinds each supported protocol serves (all in the Gateway API group). */
export const PROTOCOL_ROUTE_KINDS: Readonly<Record<string, readonly string[]>> = {
  HTTP: ['HTTPRoute', 'GRPCRoute'],
  HTTPS: ['HTTPRoute', 'GRPCRoute'],
  TLS: ['TLSRoute'],
  TCP: ['TCPRoute'],
  UDP: ['UDPRoute'],
};

export interface ListenerOwnerRef {
  kind: 'Gateway' | 'ListenerSet';
  object: Gateway | ListenerSet;
  namespace: string;
  name: string;
}

export interface ClientValidation {
  mode: 'AllowValidOnly' | 'AllowInsecureFallback';
  /** PEM bundles of the CA certificates that resolved. */
  caCertificates: string[];
}

interface Problem {
  reason: string;
  message: string;
}

/** One listener as judged so far. Conflicts and attached routes are filled in by later phases. */
export interface ListenerState {
  listener: Listener;
  owner: ListenerOwnerRef;
  gateway: Gateway;
  /** Protocol is supported and the TLS mode is usable: the listener can take part in conflicts. */
  supportedProtocol: boolean;
  supportedKinds: RouteGroupKind[];
  acceptProblems: Problem[];
  refProblems: Problem[];
  conflict?: Problem;
  overlappingTLS?: string;
  certificates: ResolvedCertificate[];
  clientValidation?: ClientValidation;
}

/** Accepted=True: protocol, mode and CA configuration allow the listener, and nothing conflicts with it. */
export function listenerAccepted(s: ListenerState): boolean {
  return s.acceptProblems.length === 0 && !s.conflict;
}

/** Valid: accepted and every reference resolved, i.e. the data plane can serve it. */
export function listenerValid(s: ListenerState): boolean {
  return listenerAccepted(s) && s.refProblems.length === 0;
}

export function listenerConditions(s: ListenerState): ConditionSpec[] {
  const out: ConditionSpec[] = [];
  if (s.conflict) {
    out.push(cond('Accepted', false, s.conflict.reason, s.conflict.message));
  } else if (s.acceptProblems.length > 0) {
    out.push(cond('Accepted', false, s.acceptProblems[0].reason, joinMessages(s.acceptProblems)));
  } else {
    out.push(cond('Accepted', true, 'Accepted', 'Listener is accepted'));
  }
  if (s.conflict) {
    out.push(cond('Programmed', false, s.conflict.reason, s.conflict.message));
  } else if (!listenerValid(s)) {
    out.push(cond('Programmed', false, 'Invalid', 'Listener is not programmed because it is not valid'));
  } else {
    out.push(cond('Programmed', true, 'Programmed', 'Listener is programmed'));
  }
  if (s.refProblems.length > 0) {
    out.push(cond('ResolvedRefs', false, s.refProblems[0].reason, joinMessages(s.refProblems)));
  } else {
    out.push(cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved'));
  }
  out.push(
    s.conflict
      ? { type: 'Conflicted', status: 'True', reason: s.conflict.reason, message: s.conflict.message }
      : cond('Conflicted', false, 'NoConflicts', 'No conflicts with other listeners'),
  );
  if (s.overlappingTLS) {
    out.push({ type: 'OverlappingTLSConfig', status: 'True', reason: 'OverlappingHostnames', message: s.overlappingTLS });
  }
  return out;
}

function joinMessages(ps: readonly Problem[]): string {
  return [...new Set(ps.map((p) => p.message))].join('; ');
}

export function evaluateListener(ctx: ResolveContext, gateway: Gateway, owner: ListenerOwnerRef, listener: Listener): ListenerState {
  const state: ListenerState = {
    listener,
    owner,
    gateway,
    supportedProtocol: true,
    supportedKinds: [],
    acceptProblems: [],
    refProblems: [],
    certificates: [],
  };
  const kinds = PROTOCOL_ROUTE_KINDS[listener.protocol];
  if (!kinds) {
    state.supportedProtocol = false;
    state.acceptProblems.push({
      reason: 'UnsupportedProtocol',
      message: `Protocol "${listener.protocol}" is not supported; supported protocols are ${Object.keys(PROTOCOL_ROUTE_KINDS).join(', ')}`,
    });
    return state;
  }
  const terminates = checkTLSMode(state);
  if (!state.supportedProtocol) return state;
  state.supportedKinds = routeKinds(state, kinds);
  if (terminates) {
    resolveCertificates(ctx, state);
    if (listener.protocol === 'HTTPS') resolveClientValidation(ctx, state);
  }
  return state;
}

/** Checks the TLS mode against the protocol; returns whether the listener terminates TLS. */
function checkTLSMode(state: ListenerState): boolean {
  const { listener } = state;
  if (listener.protocol !== 'HTTPS' && listener.protocol !== 'TLS') return false;
  if (!listener.tls) {
    state.supportedProtocol = false;
    state.acceptProblems.push({ reason: 'UnsupportedValue', message: `A ${listener.protocol} listener needs a tls configuration` });
    return false;
  }
  if (listener.protocol === 'HTTPS' && listener.tls.mode !== 'Terminate') {
    state.supportedProtocol = false;
    state.acceptProblems.push({
      reason: 'UnsupportedValue',
      message: `TLS mode "${listener.tls.mode}" is not supported on HTTPS listeners; use protocol TLS for Passthrough`,
    });
    return false;
  }
  return listener.tls.mode === 'Terminate';
}

function routeKinds(state: ListenerState, kinds: readonly string[]): RouteGroupKind[] {
  const requested = state.listener.allowedRoutes.kinds;
  if (!requested || requested.length === 0) return kinds.map((kind) => ({ group: GATEWAY_GROUP, kind }));
  const out: RouteGroupKind[] = [];
  const invalid: string[] = [];
  for (const k of requested) {
    const group = k.group ?? GATEWAY_GROUP;
    if (group === GATEWAY_GROUP && kinds.includes(k.kind)) {
      if (!out.some((o) => o.kind === k.kind)) out.push({ group, kind: k.kind });
    } else {
      invalid.push(group ? `${group}/${k.kind}` : k.kind);
    }
  }
  if (invalid.length > 0) {
    state.refProblems.push({
      reason: 'InvalidRouteKinds',
      message: `Route kind${invalid.length > 1 ? 's' : ''} ${invalid.join(', ')} not supported on a ${state.listener.protocol} listener (supported: ${kinds.join(', ')})`,
    });
  }
  return out;
}

function resolveCertificates(ctx: ResolveContext, state: ListenerState): void {
  const { listener, owner } = state;
  const refs = listener.tls?.certificateRefs ?? [];
  if (refs.length === 0) {
    state.refProblems.push({ reason: 'InvalidCertificateRef', message: 'TLS termination needs at least one certificateRef' });
    return;
  }
  for (const ref of refs) {
    const namespace = ref.namespace ?? owner.namespace;
    const shown = `${ref.group ? `${ref.group}/` : ''}${ref.kind} ${namespace}/${ref.name}`;
    if (ref.group !== '' || ref.kind !== 'Secret') {
      state.refProblems.push({ reason: 'InvalidCertificateRef', message: `certificateRef ${shown} is not a core Secret` });
      continue;
    }
    const allowed = referenceAllowed(
      ctx.catalog.referenceGrants,
      { group: GATEWAY_GROUP, kind: owner.kind, namespace: owner.namespace },
      { group: '', kind: 'Secret', namespace, name: ref.name },
    );
    if (!allowed) {
      state.refProblems.push({
        reason: 'RefNotPermitted',
        message: `Secret ${namespace}/${ref.name} is not permitted by any ReferenceGrant for ${owner.kind} ${owner.namespace}/${owner.name}`,
      });
      continue;
    }
    const secret = ctx.catalog.secret(namespace, ref.name);
    if (!secret) {
      state.refProblems.push({ reason: 'InvalidCertificateRef', message: `Secret ${namespace}/${ref.name} does not exist` });
      continue;
    }
    const pair = ctx.keyPair(secret);
    if (!pair.ok) {
      state.refProblems.push({ reason: 'InvalidCertificateRef', message: pair.message });
      continue;
    }
    state.certificates.push({ secret: `${namespace}/${ref.name}`, ...pair.value });
  }
}

/**
 * Frontend client-certificate validation (`spec.tls.frontend` of the Gateway, `perPort` entry
 * for the listener's port, else `default`). Every bad CA reference sets ResolvedRefs=False;
 * when none resolves the listener is not accepted (NoValidCACertificate).
 */
function resolveClientValidation(ctx: ResolveContext, state: ListenerState): void {
  const frontend = state.gateway.spec.tls?.frontend;
  if (!frontend) return;
  const perPort = frontend.perPort?.find((p) => p.port === state.listener.port);
  const validation = perPort ? perPort.tls.validation : frontend.default.validation;
  if (!validation) return;
  const gw = state.gateway;
  const ns = gw.metadata.namespace as string;
  const pems: string[] = [];
  for (const ref of validation.caCertificateRefs) {
    const problem = checkCARef(ctx, ref, ns, { group: GATEWAY_GROUP, kind: 'Gateway', namespace: ns, name: gw.metadata.name }, pems);
    if (problem) state.refProblems.push(problem);
  }
  if (pems.length === 0) {
    state.acceptProblems.push({
      reason: 'NoValidCACertificate',
      message: `None of the CA certificates for client validation on port ${state.listener.port} is valid`,
    });
  }
  state.clientValidation = { mode: validation.mode, caCertificates: pems };
}

function checkCARef(
  ctx: ResolveContext,
  ref: ObjectReference,
  defaultNamespace: string,
  from: { group: string; kind: string; namespace: string; name: string },
  pems: string[],
): Problem | undefined {
  const namespace = ref.namespace ?? defaultNamespace;
  if (ref.group !== '' || ref.kind !== 'ConfigMap') {
    return {
      reason: 'InvalidCACertificateKind',
      message: `caCertificateRef ${ref.group ? `${ref.group}/` : ''}${ref.kind} ${namespace}/${ref.name} is not a core ConfigMap`,
    };
  }
  const allowed = referenceAllowed(
    ctx.catalog.referenceGrants,
    { group: from.group, kind: from.kind, namespace: from.namespace },
    { group: '', kind: 'ConfigMap', namespace, name: ref.name },
  );
  if (!allowed) {
    return {
      reason: 'RefNotPermitted',
      message: `ConfigMap ${namespace}/${ref.name} is not permitted by any ReferenceGrant for ${from.kind} ${from.namespace}/${from.name}`,
    };
  }
  const cm = ctx.catalog.configMap(namespace, ref.name);
  if (!cm) return { reason: 'InvalidCACertificateRef', message: `ConfigMap ${namespace}/${ref.name} does not exist` };
  const bundle = ctx.caBundle(cm);
  if (!bundle.ok) return { reason: 'InvalidCACertificateRef', message: bundle.message };
  pems.push(bundle.value);
  return undefined;
}
