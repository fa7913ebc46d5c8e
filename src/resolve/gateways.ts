/**
 * Gateway phase: listeners of each Gateway of ours and of its admitted ListenerSets, their
 * conflicts, then the Gateway's and each ListenerSet's own conditions, addresses and the
 * backend client certificate. Route attachment comes later and only adds attached routes.
 */
import { isIP } from 'node:net';
import type { Gateway, GatewayClass, ListenerSet } from '../model/gateway-api.js';
import { GATEWAY_GROUP } from './catalog.js';
import { cond, type ConditionSpec } from './conditions.js';
import { resolveConflicts } from './conflicts.js';
import type { ResolveContext } from './context.js';
import type { GatewayClassState } from './gatewayclass.js';
import { evaluateListener, listenerValid, type ListenerState } from './listeners.js';
import { admitListenerSets } from './listenersets.js';
import { referenceAllowed } from './referencegrant.js';
import type { ResolvedCertificate } from './types.js';

export interface GatewayAddress {
  type: string;
  value: string;
}

export interface AddressOptions {
  /** Reported when the Gateway requests no address (or one without a value). */
  defaultAddress: GatewayAddress;
  /** When set, IPAddress values outside this list cannot be bound here (AddressNotUsable). */
  localAddresses?: readonly string[];
  /** Overrides `defaultAddress` per Gateway (ResolveOptions.addressFor). */
  addressFor?: (gateway: Gateway) => GatewayAddress | undefined;
}

export interface ListenerSetState {
  listenerSet: ListenerSet;
  allowed: boolean;
  listeners: ListenerState[];
  accepted: boolean;
  conditions: ConditionSpec[];
}

export interface GatewayState {
  gateway: Gateway;
  gatewayClass: GatewayClass;
  listeners: ListenerState[];
  listenerSets: ListenerSetState[];
  accepted: boolean;
  conditions: ConditionSpec[];
  addresses: GatewayAddress[];
  backendClientCertificate?: ResolvedCertificate;
}

export function resolveGateways(ctx: ResolveContext, classes: ReadonlyMap<string, GatewayClassState>, addressOptions: AddressOptions): GatewayState[] {
  const ours = (gw: Gateway) => classes.has(gw.spec.gatewayClassName);
  const admissions = admitListenerSets(ctx.catalog, ours);
  const out: GatewayState[] = [];
  for (const gw of ctx.catalog.gateways) {
    const cls = classes.get(gw.spec.gatewayClassName);
    if (!cls) continue;
    const ns = gw.metadata.namespace as string;
    const gwOwner = { kind: 'Gateway' as const, object: gw, namespace: ns, name: gw.metadata.name };
    const own = gw.spec.listeners.map((l) => evaluateListener(ctx, gw, gwOwner, l));
    const sets = (admissions.get(gw) ?? []).map((a) => ({
      admission: a,
      listeners: a.allowed
        ? a.listenerSet.spec.listeners.map((l) =>
            evaluateListener(ctx, gw, { kind: 'ListenerSet', object: a.listenerSet, namespace: a.listenerSet.metadata.namespace as string, name: a.listenerSet.metadata.name }, l),
          )
        : [],
    }));
    // Gateway listeners take precedence over every ListenerSet; admitted sets follow in order.
    resolveConflicts(own, sets.filter((s) => s.admission.allowed).map((s) => s.listeners));

    const state: GatewayState = { gateway: gw, gatewayClass: cls.gatewayClass, listeners: own, listenerSets: [], accepted: false, conditions: [], addresses: [] };
    gatewayConditions(ctx, state, cls, addressOptions);
    state.listenerSets = sets.map((s) => listenerSetState(s.admission.listenerSet, s.admission.allowed, s.admission.message, s.listeners, state));
    out.push(state);
  }
  return out;
}

function gatewayConditions(ctx: ResolveContext, state: GatewayState, cls: GatewayClassState, addressOptions: AddressOptions): void {
  const gw = state.gateway;
  const addr = resolveAddresses(gw, addressOptions);
  state.addresses = addr.addresses;
  const invalid = state.listeners.filter((l) => !listenerValid(l));
  const anyValid = invalid.length < state.listeners.length || state.listeners.length === 0;
  const invalidNames = invalid.map((l) => `"${l.listener.name}"`).join(', ');
  const infra = gw.spec.infrastructure?.parametersRef;
  let accepted: ConditionSpec;
  if (!cls.accepted) {
    accepted = cond('Accepted', false, 'InvalidParameters', `GatewayClass ${cls.gatewayClass.metadata.name} is not accepted`);
  } else if (infra) {
    accepted = cond(
      'Accepted',
      false,
      'InvalidParameters',
      `infrastructure.parametersRef ${infra.group ? `${infra.group}/` : ''}${infra.kind} ${infra.name} is not supported: this controller takes no parameters`,
    );
  } else if (addr.unsupported.length > 0) {
    accepted = cond('Accepted', false, 'UnsupportedAddress', addr.unsupported.join('; '));
  } else if (!anyValid) {
    accepted = cond('Accepted', false, 'ListenersNotValid', `No listener is valid: ${invalidNames}`);
  } else if (invalid.length > 0) {
    accepted = cond('Accepted', true, 'ListenersNotValid', `Gateway is accepted, but some listeners are not valid: ${invalidNames}`);
  } else {
    accepted = cond('Accepted', true, 'Accepted', 'Gateway is accepted');
  }
  state.accepted = accepted.status === 'True';
  let programmed: ConditionSpec;
  if (!state.accepted) programmed = cond('Programmed', false, 'Invalid', 'Gateway is not programmed because it is not accepted');
  else if (addr.unusable.length > 0) programmed = cond('Programmed', false, 'AddressNotUsable', addr.unusable.join('; '));
  else programmed = cond('Programmed', true, 'Programmed', 'Gateway is programmed');
  const conditions = [accepted, programmed];

  const clientRef = gw.spec.tls?.backend?.clientCertificateRef;
  if (clientRef) {
    const r = resolveBackendClientCertificate(ctx, gw);
    if (r.ok) {
      state.backendClientCertificate = r.certificate;
      conditions.push(cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved'));
    } else {
      conditions.push(cond('ResolvedRefs', false, r.reason, r.message));
    }
  }
  const frontend = gw.spec.tls?.frontend;
  const insecurePorts = [
    ...(frontend?.default.validation?.mode === 'AllowInsecureFallback' ? ['default'] : []),
    ...(frontend?.perPort ?? []).filter((p) => p.tls.validation?.mode === 'AllowInsecureFallback').map((p) => `port ${p.port}`),
  ];
  if (insecurePorts.length > 0) {
    conditions.push({
      type: 'InsecureFrontendValidationMode',
      status: 'True',
      reason: 'ConfigurationChanged',
      message: `Client certificate validation accepts connections without a valid client certificate (AllowInsecureFallback: ${insecurePorts.join(', ')})`,
    });
  }
  state.conditions = conditions;
}

type ClientCertResult = { ok: true; certificate: ResolvedCertificate } | { ok: false; reason: string; message: string };

function resolveBackendClientCertificate(ctx: ResolveContext, gw: Gateway): ClientCertResult {
  const ref = gw.spec.tls!.backend!.clientCertificateRef!;
  const gwNs = gw.metadata.namespace as string;
  const namespace = ref.namespace ?? gwNs;
  if (ref.group !== '' || ref.kind !== 'Secret') {
    return { ok: false, reason: 'InvalidClientCertificateRef', message: `clientCertificateRef ${ref.group ? `${ref.group}/` : ''}${ref.kind} ${namespace}/${ref.name} is not a core Secret` };
  }
  if (!referenceAllowed(ctx.catalog.referenceGrants, { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gwNs }, { group: '', kind: 'Secret', namespace, name: ref.name })) {
    return { ok: false, reason: 'RefNotPermitted', message: `Secret ${namespace}/${ref.name} is not permitted by any ReferenceGrant for Gateway ${gwNs}/${gw.metadata.name}` };
  }
  const secret = ctx.catalog.secret(namespace, ref.name);
  if (!secret) return { ok: false, reason: 'InvalidClientCertificateRef', message: `Secret ${namespace}/${ref.name} does not exist` };
  const pair = ctx.keyPair(secret);
  if (!pair.ok) return { ok: false, reason: 'InvalidClientCertificateRef', message: pair.message };
  return { ok: true, certificate: { secret: `${namespace}/${ref.name}`, ...pair.value } };
}

interface AddressResult {
  addresses: GatewayAddress[];
  unsupported: string[];
  unusable: string[];
}

/**
 * Switchyard binds on the host it runs on: it supports `IPAddress` addresses (usable when the
 * host has them, see AddressOptions.localAddresses); an entry without a value asks for the
 * default address.
 */
function resolveAddresses(gw: Gateway, opts: AddressOptions): AddressResult {
  const out: AddressResult = { addresses: [], unsupported: [], unusable: [] };
  const spec = gw.spec.addresses ?? [];
  let wantsDefault = spec.length === 0;
  for (const a of spec) {
    if (a.type !== 'IPAddress') {
      out.unsupported.push(`Address type "${a.type}"${a.value ? ` (${a.value})` : ''} is not supported; only IPAddress is`);
      continue;
    }
    if (a.value === undefined || a.value === '') {
      wantsDefault = true;
      continue;
    }
    if (isIP(a.value) === 0) {
      out.unsupported.push(`"${a.value}" is not a valid IP address`);
      continue;
    }
    if (opts.localAddresses && !opts.localAddresses.includes(a.value)) {
      out.unusable.push(`Address ${a.value} is not available on this host`);
      continue;
    }
    if (!out.addresses.some((x) => x.value === a.value)) out.addresses.push({ type: a.type, value: a.value });
  }
  if (wantsDefault) {
    const fallback = opts.addressFor?.(gw) ?? opts.defaultAddress;
    if (!out.addresses.some((x) => x.value === fallback.value)) out.addresses.push({ type: fallback.type, value: fallback.value });
  }
  return out;
}

function listenerSetState(ls: ListenerSet, allowed: boolean, notAllowed: string, listeners: ListenerState[], gw: GatewayState): ListenerSetState {
  const gwName = `Gateway ${gw.gateway.metadata.namespace}/${gw.gateway.metadata.name}`;
  let accepted: ConditionSpec;
  let programmed: ConditionSpec;
  if (!allowed) {
    accepted = cond('Accepted', false, 'NotAllowed', notAllowed);
    programmed = cond('Programmed', false, 'NotAllowed', notAllowed);
  } else if (!gw.accepted) {
    accepted = cond('Accepted', false, 'ParentNotAccepted', `${gwName} is not accepted`);
    programmed = cond('Programmed', false, 'ParentNotAccepted', `${gwName} is not accepted`);
  } else {
    const invalid = listeners.filter((l) => !listenerValid(l));
    const names = invalid.map((l) => `"${l.listener.name}"`).join(', ');
    if (invalid.length === listeners.length) {
      accepted = cond('Accepted', false, 'ListenersNotValid', `No listener is valid: ${names}`);
      programmed = cond('Programmed', false, 'ListenersNotValid', `No listener is valid: ${names}`);
    } else {
      accepted =
        invalid.length > 0
          ? cond('Accepted', true, 'ListenersNotValid', `ListenerSet is accepted by ${gwName}, but some listeners are not valid: ${names}`)
          : cond('Accepted', true, 'Accepted', `ListenerSet is accepted by ${gwName}`);
      programmed = cond('Programmed', true, 'Programmed', 'ListenerSet is programmed');
    }
  }
  return { listenerSet: ls, allowed, listeners, accepted: accepted.status === 'True', conditions: [accepted, programmed] };
}
