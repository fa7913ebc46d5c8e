/**
 * Validation: what the Kubernetes API server, with the Gateway API v1.6.1 CRDs installed
 * (standard and experimental channel), does with each object on `kubectl apply`: strict field
 * validation, OpenAPI schema validation, CEL rules and defaulting. Each object stands alone;
 * an invalid one is rejected with one diagnostic per problem, a valid one comes out as a
 * defaulted copy in the v1 shape.
 */
import type { z } from 'zod';
import { formatFieldPath, type Diagnostic } from '../diagnostics.js';
import type { LoadedObject } from '../load/load.js';
import { GATEWAY_GROUP, type KindName } from '../load/kinds.js';
import type { ValidObject } from '../model/objects.js';
import { backendTLSPolicy } from './backendtlspolicy.js';
import { configMap } from './core/configmap.js';
import { endpointSlice } from './core/endpointslice.js';
import { namespaceObject } from './core/namespace.js';
import { secret } from './core/secret.js';
import { service } from './core/service.js';
import { gateway } from './gateway.js';
import { gatewayClass } from './gatewayclass.js';
import { grpcRoute } from './grpcroute.js';
import { httpRoute } from './httproute.js';
import { ingress } from './ingress.js';
import { ingressClass } from './ingressclass.js';
import { dataPlaneProblems } from './dataplane.js';
import { describeIssue, RULES_NOT_CHECKED, type Problem } from './issues.js';
import { listenerSet } from './listenerset.js';
import { referenceGrant } from './referencegrant.js';
import { tcpRoute, tcpRouteV1alpha2 } from './tcproute.js';
import { tlsRoute, tlsRouteV1alpha2 } from './tlsroute.js';
import { udpRoute, udpRouteV1alpha2 } from './udproute.js';

type ObjectSchema = z.ZodType<ValidObject['object']>;

/**
 * The schema of each kind, and of the served versions whose schema differs from v1's (every
 * other served version has exactly the v1 schema).
 */
const SCHEMAS: Record<KindName, { v1: ObjectSchema; older?: Record<string, ObjectSchema> }> = {
  GatewayClass: { v1: gatewayClass },
  Gateway: { v1: gateway },
  ListenerSet: { v1: listenerSet },
  HTTPRoute: { v1: httpRoute },
  GRPCRoute: { v1: grpcRoute },
  TLSRoute: { v1: tlsRoute, older: { v1alpha2: tlsRouteV1alpha2 } },
  TCPRoute: { v1: tcpRoute, older: { v1alpha2: tcpRouteV1alpha2 } },
  UDPRoute: { v1: udpRoute, older: { v1alpha2: udpRouteV1alpha2 } },
  ReferenceGrant: { v1: referenceGrant },
  BackendTLSPolicy: { v1: backendTLSPolicy },
  Namespace: { v1: namespaceObject },
  Service: { v1: service },
  EndpointSlice: { v1: endpointSlice },
  Secret: { v1: secret },
  ConfigMap: { v1: configMap },
  Ingress: { v1: ingress },
  IngressClass: { v1: ingressClass },
};

function schemaFor(loaded: LoadedObject): ObjectSchema {
  const entry = SCHEMAS[loaded.info.kind];
  const version = loaded.object.apiVersion.slice(loaded.object.apiVersion.lastIndexOf('/') + 1);
  return entry.older?.[version] ?? entry.v1;
}

/**
 * Valid objects kept across calls, for hosts that validate nearly the same objects again on
 * every reload: validating one object is pure, and the outcome of a valid one does not depend
 * on where it was read, so an object whose content is that of a valid object of the previous
 * call is not validated again. Invalid ones are (their diagnostics carry positions). Each call
 * keeps only what it saw, so the memo holds at most one load's objects.
 */
export class ValidationMemo {
  /** Content (the loader's `content`, else JSON) -> the validated object, from the previous call. */
  valid = new Map<string, ValidObject['object']>();

  /** A memo starting from this one's objects, for a run whose result may be thrown away. */
  fork(): ValidationMemo {
    const memo = new ValidationMemo();
    memo.valid = this.valid;
    return memo;
  }

  /** Takes over what a fork of this memo saw, once that run's result is used. */
  adopt(fork: ValidationMemo): void {
    this.valid = fork.valid;
  }
}

export function validate(objects: readonly LoadedObject[], memo?: ValidationMemo): { objects: ValidObject[]; diagnostics: Diagnostic[] } {
  const valid: ValidObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, ValidObject['object']>();
  for (const loaded of objects) {
    const key = memo ? (loaded.content ?? JSON.stringify(loaded.object)) : '';
    // Content seen twice in one call (a document repeated) is validated again: each object
    // gets its own copy, as without the memo.
    const kept = seen.has(key) ? undefined : memo?.valid.get(key);
    const result: OneResult = kept ? { ok: true, object: kept } : validateOne(loaded);
    if (memo && result.ok) seen.set(key, result.object);
    // `seq` comes from `loaded`: it is the load order of this load, not of the one memoized.
    if (result.ok) valid.push({ ...loaded, object: result.object });
    else diagnostics.push(...result.diagnostics);
  }
  if (memo) memo.valid = seen;
  return { objects: valid, diagnostics };
}

type OneResult = { ok: true; object: ValidObject['object'] } | { ok: false; diagnostics: Diagnostic[] };

function validateOne(loaded: LoadedObject): OneResult {
  // The API server ignores status on create; the copy also keeps the input untouched.
  const { status: _ignored, ...body } = structuredClone(loaded.object);
  const parsed = schemaFor(loaded).safeParse(body, { reportInput: true });
  const dataPlane = parsed.success ? dataPlaneProblems(parsed.data) : [];
  if (parsed.success && dataPlane.length === 0) return { ok: true, object: parsed.data };

  const ref = {
    kind: loaded.object.kind,
    name: typeof loaded.object.metadata?.name === 'string' && loaded.object.metadata.name !== '' ? loaded.object.metadata.name : '<unnamed>',
    namespace: loaded.info.namespaced ? (loaded.object.metadata?.namespace ?? 'default') : undefined,
  };
  const toDiagnostic = (p: Problem, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({
    severity,
    position: loaded.origin.locate(p.path),
    object: ref,
    field: formatFieldPath(p.path),
    message: p.message,
  });
  // Only the CRDs carry CEL rules; the core kinds are validated by the API server's own code.
  const hasRules = loaded.info.group === GATEWAY_GROUP;
  const problems = parsed.success ? dataPlane : selectProblems(parsed.error.issues.flatMap(describeIssue), hasRules);
  const errors = problems.filter((p) => p !== NOT_CHECKED).map((p) => toDiagnostic(p));
  // In document order: zod reports a parent's own issues after its children's.
  errors.sort((a, b) => a.position.line - b.position.line || a.position.col - b.position.col);
  const notices = problems.includes(NOT_CHECKED) ? [toDiagnostic(NOT_CHECKED, 'notice')] : [];
  return { ok: false, diagnostics: [...errors, ...notices] };
}

const NOT_CHECKED: Problem = { kind: 'schema', path: [], message: RULES_NOT_CHECKED };

/**
 * Keeps what the API server would report. Unknown fields fail strict decoding before any
 * validation runs, so they are all it reports. Otherwise a blocking schema error (type, enum,
 * required, too long, too many) stops CEL rule evaluation, which the server says in a notice.
 */
function selectProblems(problems: Problem[], hasRules: boolean): Problem[] {
  const unknown = problems.filter((p) => p.kind === 'unknown-field');
  if (unknown.length > 0) return unknown;
  if (!hasRules || !problems.some((p) => p.kind === 'blocking')) return problems;
  return [...problems.filter((p) => p.kind !== 'rule'), NOT_CHECKED];
}
