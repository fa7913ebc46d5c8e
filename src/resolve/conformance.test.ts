/**
 * Self-check against the Gateway API v1.6.1 conformance suite's status expectations (the
 * corpus in /work/shared/conformance). Each test's manifests are loaded on top of base.yaml
 * with the Secrets and CA ConfigMaps the harness generates, every Gateway gets our class, and
 * the expectations of every phase (after applying its mutations) are checked against resolve().
 * Skipped when the corpus is not present.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTexts } from '../load/load.js';
import type { ValidObject } from '../model/objects.js';
import { resolve } from './index.js';
import { caConfigMapYaml, tlsSecretYaml, TEST_CERT_PEM, withDefaults } from './test-support.js';
import type { ObjectStatus } from './types.js';

const ROOT = '/work/shared/conformance';
const CONTROLLER = 'switchyard.dev/gateway-controller';
const USABLE = '127.0.0.2';
const UNUSABLE = '203.0.113.9';
/** Features Switchyard claims beyond the core ones (tests skipped when they claim otherwise). */
const SUPPORTED = new Set(['TLSRouteModeTerminate', 'TLSRouteModeMixed']);
const IN_SCOPE = /^(Gateway|HTTPRoute|GRPC|TLSRoute|TCPRoute|UDPRoute|ListenerSet|BackendTLSPolicy)/;

const HARNESS = [
  ...['tls-validity-checks-certificate', 'tls-checks-certificate', 'tls-passthrough-checks-certificate', 'tls-terminate-checks-certificate',
    'tls-validity-checks-client-certificate', 'tls-validity-checks-per-port-client-certificate', 'tls-checks-client-certificate',
  ].map((n) => tlsSecretYaml('gateway-conformance-infra', n)),
  tlsSecretYaml('gateway-conformance-web-backend', 'certificate'),
  tlsSecretYaml('gateway-conformance-app-backend', 'tls-passthrough-checks-certificate'),
  ...['tls-validity-checks-ca-certificate', 'tls-validity-checks-per-port-ca-certificate', 'tls-checks-ca-certificate', 'mismatch-ca-certificate'].map((n) =>
    caConfigMapYaml('gateway-conformance-infra', n),
  ),
  caConfigMapYaml('gateway-conformance-web-backend', 'web-backend-cm'),
  `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: switchyard }
spec: { controllerName: ${CONTROLLER} }
`,
].join('\n---\n');

type Rec = Record<string, any>;

function prepare(testYaml: string): ValidObject[] {
  const base = readFileSync(join(ROOT, 'base.yaml'), 'utf8');
  const text = testYaml.replaceAll('PLACEHOLDER_UNUSABLE_ADDRS', UNUSABLE).replaceAll('PLACEHOLDER_USABLE_ADDRS', USABLE);
  const { objects } = loadTexts([
    { file: 'base.yaml', text: base },
    { file: 'harness.yaml', text: HARNESS },
    { file: 'test.yaml', text },
  ]);
  const valid = withDefaults(objects);
  for (const v of valid) {
    const o = v.object as Rec;
    if (o.kind === 'Gateway') o.spec.gatewayClassName = 'switchyard';
    if (o.kind === 'GatewayClass') o.spec.controllerName = CONTROLLER;
  }
  return valid;
}

function fill(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('<data')) return TEST_CERT_PEM;
  if (Array.isArray(value)) return value.map(fill);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
  return value;
}

/** Applies one mutation; false when it is described only in prose (not machine-applicable). */
function mutate(objects: ValidObject[], m: Rec): boolean {
  const [ns, name] = m.name.includes('/') ? m.name.split('/') : [undefined, m.name];
  const idx = objects.findIndex((v) => v.object.kind === m.kind && v.object.metadata.name === name && (v.object.metadata.namespace ?? undefined) === ns);
  if (m.create) {
    objects.push(...withDefaults(loadTexts([{ file: 'create.json', text: JSON.stringify(fill(m.create)) }], 100000 + objects.length).objects));
    return true;
  }
  if (m.delete) {
    if (idx >= 0) objects.splice(idx, 1);
    return true;
  }
  if (!m.jsonPatch && idx >= 0 && m.kind === 'Gateway' && typeof m.description === 'string') {
    // The static-address mutations are described in prose: remove one spec.addresses entry.
    const addrs = (objects[idx].object as Rec).spec.addresses as Rec[];
    const at = /remove spec\.addresses\[(\d+)\]/.exec(m.description);
    const i = at ? Number(at[1]) : /remove the unusable address/.test(m.description) ? addrs.findIndex((a) => a.value === UNUSABLE) : -1;
    if (i < 0) return false;
    addrs.splice(i, 1);
    (objects[idx].object as Rec).metadata.generation += 1;
    return true;
  }
  if (!m.jsonPatch || idx < 0) return false;
  const o = objects[idx].object as Rec;
  for (const op of m.jsonPatch) {
    const parts = (op.path as string).split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    let cur: Rec = o;
    for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
    const last = parts[parts.length - 1];
    if (op.op === 'remove') {
      if (Array.isArray(cur)) cur.splice(Number(last), 1);
      else delete cur[last];
    } else if (Array.isArray(cur) && op.op === 'add') {
      if (last === '-') cur.push(fill(op.value));
      else cur.splice(Number(last), 0, fill(op.value));
    } else {
      const filtered = typeof op.value === 'string' ? /^<the existing \w+ filtered to name == "(.+)">$/.exec(op.value) : null;
      cur[last] = filtered ? (cur[last] as Rec[]).filter((x) => x.name === filtered[1]) : fill(op.value);
    }
  }
  if (o.kind !== 'ConfigMap' && o.kind !== 'Secret' && o.kind !== 'Service') o.metadata.generation += 1;
  objects[idx] = withDefaults([objects[idx]])[0];
  return true;
}

const condOk = (actual: Rec[] | undefined, expected: Rec, generation?: number) =>
  (actual ?? []).some(
    (c) =>
      c.type === expected.type &&
      (expected.status === undefined || c.status === expected.status) &&
      (expected.reason === undefined || c.reason === expected.reason) &&
      (generation === undefined || c.observedGeneration === generation),
  );

function check(s: Rec, statuses: Map<string, ObjectStatus>, objects: ValidObject[]): string | undefined {
  const st = (kind: string, nsName: string): Rec | undefined => statuses.get(`${kind}/${nsName}`)?.status;
  const gen = (kind: string, nsName: string): number | undefined =>
    objects.find((v) => v.object.kind === kind && `${v.object.metadata.namespace ? `${v.object.metadata.namespace}/` : ''}${v.object.metadata.name}` === nsName)?.object
      .metadata.generation as number | undefined;
  const listenersMatch = (actual: Rec[] | undefined, expected: Rec[], g: number | undefined) => {
    if ((actual ?? []).length !== expected.length) return `expected ${expected.length} listeners, got ${(actual ?? []).length}`;
    for (const e of expected) {
      const a = actual!.find((x) => x.name === e.name);
      if (!a) return `listener ${e.name} missing`;
      if (a.attachedRoutes !== e.attachedRoutes) return `listener ${e.name} attachedRoutes ${a.attachedRoutes} != ${e.attachedRoutes}`;
      if (e.supportedKinds.length === 0 ? a.supportedKinds.length !== 0 : !e.supportedKinds.every((k: Rec) => a.supportedKinds.some((x: Rec) => x.kind === k.kind && x.group === k.group)))
        return `listener ${e.name} supportedKinds ${JSON.stringify(a.supportedKinds)}`;
      for (const c of e.conditions) if (!condOk(a.conditions, c, g)) return `listener ${e.name} lacks ${JSON.stringify(c)}: ${JSON.stringify(a.conditions.map((x: Rec) => [x.type, x.status, x.reason]))}`;
    }
    return undefined;
  };
  const listenerConds = (actual: Rec[] | undefined, names: string[] | null, conds: Rec[]) => {
    for (const l of actual ?? []) {
      if (names && !names.includes(l.name)) continue;
      for (const c of conds) if (!condOk(l.conditions, c)) return `listener ${l.name} lacks ${JSON.stringify(c)}: ${JSON.stringify(l.conditions.map((x: Rec) => [x.type, x.status, x.reason, x.message]))}`;
    }
    for (const n of names ?? []) if (!(actual ?? []).some((l) => l.name === n)) return `listener ${n} missing`;
    return undefined;
  };
  const parentFor = (route: Rec | undefined, target: string) =>
    (route?.parents ?? []).filter((p: Rec) => `${p.parentRef.namespace}/${p.parentRef.name}` === target || p.parentRef.name === target);
  switch (s.check) {
    case 'gatewayAddress': {
      const a = st('Gateway', s.gateway)?.addresses;
      return a?.length > 0 && a[0].type ? undefined : 'no address';
    }
    case 'namespacesReady': {
      for (const v of objects) {
        const o = v.object as Rec;
        if (o.kind !== 'Gateway' || !s.namespaces.includes(o.metadata.namespace)) continue;
        if (o.metadata.annotations?.['gateway-api/skip-this-for-readiness'] === 'true') continue;
        const c = st('Gateway', `${o.metadata.namespace}/${o.metadata.name}`)?.conditions;
        if (!condOk(c, { type: 'Accepted', status: 'True' }) || !condOk(c, { type: 'Programmed', status: 'True' }))
          return `Gateway ${o.metadata.name} not ready: ${JSON.stringify(c?.map((x: Rec) => [x.type, x.status, x.reason, x.message]))}`;
      }
      return undefined;
    }
    case 'routeParents': {
      const r = st(s.routeKind, s.route);
      const g = gen(s.routeKind, s.route);
      for (const e of s.parents) {
        const p = (r?.parents ?? []).find(
          (x: Rec) =>
            x.controllerName === CONTROLLER &&
            x.parentRef.group === e.parentRef.group &&
            x.parentRef.kind === e.parentRef.kind &&
            x.parentRef.name === e.parentRef.name &&
            (!(s.namespaceRequired || x.parentRef.namespace) || x.parentRef.namespace === e.parentRef.namespace),
        );
        if (!p) return `no parent ${e.parentRef.name} in ${JSON.stringify(r?.parents?.map((x: Rec) => x.parentRef))}`;
        for (const c of e.conditions) if (!condOk(p.conditions, c, g)) return `parent ${e.parentRef.name} lacks ${JSON.stringify(c)}: ${JSON.stringify(p.conditions.map((x: Rec) => [x.type, x.status, x.reason, x.message]))}`;
      }
      return undefined;
    }
    case 'routeCondition': {
      const ps = parentFor(st(s.routeKind, s.route), s.gateway);
      return ps.some((p: Rec) => condOk(p.conditions, s.condition, gen(s.routeKind, s.route)))
        ? undefined
        : `no parent has ${JSON.stringify(s.condition)}: ${JSON.stringify(ps.map((p: Rec) => p.conditions.map((x: Rec) => [x.type, x.status, x.reason, x.message])))}`;
    }
    case 'routeNoAcceptedParents': {
      const ps = st(s.routeKind, s.route)?.parents ?? [];
      return ps.length === 0 || (ps.length === 1 && condOk(ps[0].conditions, { type: 'Accepted', status: 'False' })) ? undefined : 'route has accepted parents';
    }
    case 'gatewayZeroRoutes': {
      const ls = st('Gateway', s.gateway)?.listeners ?? [];
      return ls.length === 0 || (ls.length === 1 && ls[0].attachedRoutes === 0) ? undefined : `listeners ${JSON.stringify(ls.map((l: Rec) => l.attachedRoutes))}`;
    }
    case 'listenerConditions':
      return listenerConds(st('Gateway', s.gateway)?.listeners, s.listeners, s.conditions);
    case 'listenerSetListenerConditions':
      return listenerConds(st('ListenerSet', s.listenerSet)?.listeners, s.listeners, s.conditions);
    case 'gatewayListeners':
      return listenersMatch(st('Gateway', s.gateway)?.listeners, s.listeners, undefined);
    case 'listenerSetListeners':
      return listenersMatch(st('ListenerSet', s.listenerSet)?.listeners, s.listeners, undefined);
    case 'gatewayCondition': {
      const c = st('Gateway', s.gateway)?.conditions;
      return condOk(c, s.condition, gen('Gateway', s.gateway)) ? undefined : `lacks ${JSON.stringify(s.condition)}: ${JSON.stringify(c?.map((x: Rec) => [x.type, x.status, x.reason, x.message]))}`;
    }
    case 'gatewayClassCondition':
      return condOk(st('GatewayClass', 'switchyard')?.conditions, s.condition) ? undefined : 'gatewayclass condition';
    case 'listenerSetCondition': {
      const c = st('ListenerSet', s.listenerSet)?.conditions;
      return condOk(c, s.condition, gen('ListenerSet', s.listenerSet)) ? undefined : `lacks ${JSON.stringify(s.condition)}: ${JSON.stringify(c?.map((x: Rec) => [x.type, x.status, x.reason, x.message]))}`;
    }
    case 'gatewayAttachedListenerSets':
      return (st('Gateway', s.gateway)?.attachedListenerSets ?? 0) === s.count ? undefined : `attachedListenerSets ${st('Gateway', s.gateway)?.attachedListenerSets}`;
    case 'policyCondition': {
      const anc = (st(s.kind, s.policy)?.ancestors ?? []).filter((a: Rec) => `${a.ancestorRef.namespace}/${a.ancestorRef.name}` === s.gateway);
      return anc.some((a: Rec) => condOk(a.conditions, s.condition, gen(s.kind, s.policy)))
        ? undefined
        : `no ancestor has ${JSON.stringify(s.condition)}: ${JSON.stringify(anc.map((a: Rec) => a.conditions.map((x: Rec) => [x.type, x.status, x.reason, x.message])))}`;
    }
    case 'latestObservedGeneration': {
      const kind = s.kind === 'GatewayClass' ? 'GatewayClass' : s.kind;
      const name = s.kind === 'GatewayClass' ? 'switchyard' : s.name;
      const status = st(kind, name);
      const g = gen(kind, name);
      const all: Rec[] = [...(status?.conditions ?? []), ...(status?.parents ?? []).flatMap((p: Rec) => p.conditions), ...(status?.ancestors ?? []).flatMap((p: Rec) => p.conditions)];
      return status && all.length > 0 && all.every((c) => c.observedGeneration === g) ? undefined : 'observedGeneration';
    }
    case 'gatewayStatusAddresses': {
      const a = st('Gateway', s.gateway)?.addresses ?? [];
      return a.length === s.count && a.some((x: Rec) => x.value === USABLE) && !a.some((x: Rec) => x.value === UNUSABLE) ? undefined : `addresses ${JSON.stringify(a)}`;
    }
    default:
      return undefined; // generationChanged, infrastructurePropagation: not status of the resolver
  }
}

export interface SelfCheckResult {
  test: string;
  failures: string[];
  skippedPhases: string[];
}

export function selfCheck(file: string): SelfCheckResult {
  const t = JSON.parse(readFileSync(join(ROOT, 'tests', file), 'utf8'));
  const objects = prepare(t.manifestsYaml);
  const failures: string[] = [];
  const skippedPhases: string[] = [];
  const phases: (string | undefined)[] = [undefined, ...(t.mutations ?? []).map((m: Rec) => (m.id ? `afterMutation:${m.id}` : 'afterMutation'))];
  let usable = true;
  phases.forEach((phase, i) => {
    if (i > 0) usable &&= mutate(objects, t.mutations[i - 1]);
    const items = (t.status ?? []).filter((s: Rec) => s.phase === phase);
    if (items.length === 0) return;
    if (!usable) {
      skippedPhases.push(phase!);
      return;
    }
    const { statuses } = resolve(objects, { controllerName: CONTROLLER, now: new Date('2026-01-01T00:00:00Z'), localAddresses: ['127.0.0.1', USABLE] });
    for (const s of items) {
      const f = check(s, statuses, objects);
      if (f) failures.push(`[${phase ?? 'initial'}] ${s.check} ${s.route ?? s.gateway ?? s.listenerSet ?? s.policy ?? s.name ?? ''}: ${f}`);
    }
  });
  return { test: t.name, failures, skippedPhases };
}

const present = existsSync(join(ROOT, 'tests'));
const files = present ? readdirSync(join(ROOT, 'tests')).filter((f) => f.endsWith('.json') && IN_SCOPE.test(f)).sort() : [];

const skipped = (file: string): boolean =>
  (JSON.parse(readFileSync(join(ROOT, 'tests', file), 'utf8')).skipIfSupported ?? []).some((f: string) => SUPPORTED.has(f));

describe.skipIf(!present)('conformance status self-check', () => {
  for (const file of files) {
    it.skipIf(skipped(file))(file, () => {
      const r = selfCheck(file);
      expect(r.failures).toEqual([]);
      // Every mutation in the corpus can be applied, so every phase is checked.
      expect(r.skippedPhases).toEqual([]);
    });
  }
});
