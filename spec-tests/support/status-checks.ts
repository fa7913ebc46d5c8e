/**
 * The conformance corpus's `status[]` checks, judged against computed status with the
 * semantics of the corpus README ("status[] — expectations") and the upstream suite helpers it
 * transcribes: subset matching of conditions, a condition without `status`/`reason` matching
 * any, `<suite controllerName>` standing for the implementation's controller name, and
 * conditions required at the object's current generation where the harness requires it.
 *
 * Every check returns `pass`, `fail` with what was expected and what was found, or `unjudged`
 * when it needs a live cluster (listed in UNJUDGEABLE_CHECKS with the reason).
 */
import type { KubeObject } from '../../src/load/load.js';

// ---------------------------------------------------------------------------------------------
// What a check sees

export interface ObservedObject {
  /** The object as the pipeline holds it (validated, defaulted). */
  object: KubeObject;
  /** The status the controller computed; undefined when it wrote none. */
  status: Record<string, unknown> | undefined;
}

export interface StatusView {
  /** `kind` + `namespace/name` (or `name` for cluster-scoped kinds). */
  get(kind: string, name: string): ObservedObject | undefined;
  /** Every object of `kind` (in `namespace` when given). */
  list(kind: string, namespace?: string): ObservedObject[];
}

export interface CheckContext {
  /** The state the check is judged in. */
  view: StatusView;
  /** The state before the mutation that led to `view` (for `generationChanged`). */
  before?: StatusView;
  /** The state before any mutation (for values the corpus names by their original position). */
  original: StatusView;
  controllerName: string;
}

export type CheckResult = { outcome: 'pass' } | { outcome: 'fail'; message: string } | { outcome: 'unjudged'; reason: string };

export interface ExpectedCondition {
  type: string;
  status?: string;
  reason?: string;
}

export interface ActualCondition {
  type: string;
  status: string;
  reason: string;
  message?: string;
  observedGeneration?: number;
}

/** Check kinds that need a live cluster, with the reason. */
export const UNJUDGEABLE_CHECKS: Readonly<Record<string, string>> = {
  infrastructurePropagation:
    'needs a live cluster: it inspects the ServiceAccount/Pod/Service an implementation provisions per Gateway for the propagated spec.infrastructure labels and annotations; a data plane without Kubernetes provisions none',
};

export const SUITE_CONTROLLER_NAME = '<suite controllerName>';

// ---------------------------------------------------------------------------------------------
// Helpers

const pass: CheckResult = { outcome: 'pass' };
const fail = (message: string): CheckResult => ({ outcome: 'fail', message });

function splitName(name: string): { namespace?: string; name: string } {
  const i = name.indexOf('/');
  return i < 0 ? { name } : { namespace: name.slice(0, i), name: name.slice(i + 1) };
}

function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function conditionsOf(v: unknown): ActualCondition[] {
  return asArray<ActualCondition>((v as { conditions?: unknown } | undefined)?.conditions);
}

export function formatCondition(c: ExpectedCondition | ActualCondition): string {
  const gen = 'observedGeneration' in c && c.observedGeneration !== undefined ? ` @gen ${c.observedGeneration}` : '';
  return `${c.type}=${c.status ?? '*'}${c.reason ? `/${c.reason}` : ''}${gen}`;
}

export function formatConditions(list: readonly ActualCondition[]): string {
  return list.length === 0 ? '(no conditions)' : `[${list.map(formatCondition).join(', ')}]`;
}

/** A condition of `expected.type` with the expected status and reason (absent = any). */
export function findCondition(list: readonly ActualCondition[], expected: ExpectedCondition): ActualCondition | undefined {
  return list.find(
    (c) =>
      c.type === expected.type &&
      (expected.status === undefined || c.status === expected.status) &&
      (expected.reason === undefined || expected.reason === '' || c.reason === expected.reason),
  );
}

/** The expected conditions that `actual` lacks (subset matching). */
export function missingConditions(expected: readonly ExpectedCondition[], actual: readonly ActualCondition[]): ExpectedCondition[] {
  return expected.filter((e) => !findCondition(actual, e));
}

/** Conditions whose observedGeneration is not `generation` (absent counts as stale). */
export function staleConditions(list: readonly ActualCondition[], generation: number): ActualCondition[] {
  return list.filter((c) => c.observedGeneration !== generation);
}

function generationOf(o: ObservedObject): number {
  return o.object.metadata.generation ?? 1;
}

function describe(kind: string, name: string): string {
  return `${kind} ${name}`;
}

/** Finds an object or explains why it is missing. */
function lookup(ctx: CheckContext, kind: string, name: string): ObservedObject | string {
  const o = ctx.view.get(kind, name);
  if (!o) return `${describe(kind, name)} does not exist (not in the manifests, or dropped by validation)`;
  return o;
}

/** Fails when the object's own `status.conditions` are missing or not at its generation. */
function ownConditionsCurrent(o: ObservedObject, label: string): string | undefined {
  const conds = conditionsOf(o.status);
  if (conds.length === 0) return `${label} has no status conditions`;
  const stale = staleConditions(conds, generationOf(o));
  if (stale.length > 0) return `${label} conditions not at generation ${generationOf(o)}: ${formatConditions(stale)}`;
  return undefined;
}

function expectControllerName(expected: string, ctx: CheckContext): string {
  return expected === SUITE_CONTROLLER_NAME ? ctx.controllerName : expected;
}

// ---------------------------------------------------------------------------------------------
// Listener matching (gatewayListeners / listenerSetListeners)

export interface ExpectedListener {
  name: string;
  supportedKinds: { group?: string; kind: string }[];
  attachedRoutes: number;
  conditions: ExpectedCondition[];
}

interface ActualListener {
  name: string;
  supportedKinds?: { group?: string; kind: string }[];
  attachedRoutes?: number;
  conditions?: ActualCondition[];
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

function formatKinds(kinds: readonly { group?: string; kind: string }[]): string {
  return `[${kinds.map((k) => `${k.group ?? GATEWAY_GROUP}/${k.kind}`).join(', ')}]`;
}

/** Exact listener count; per name: attachedRoutes exact, conditions subset, supportedKinds superset (empty = empty). */
export function matchListeners(expected: readonly ExpectedListener[], actualValue: unknown, label: string): string[] {
  const actual = asArray<ActualListener>(actualValue);
  const problems: string[] = [];
  if (actual.length !== expected.length) {
    problems.push(`${label}: expected ${expected.length} listener statuses [${expected.map((l) => l.name).join(', ')}], got ${actual.length} [${actual.map((l) => l.name).join(', ')}]`);
  }
  for (const e of expected) {
    const a = actual.find((l) => l.name === e.name);
    if (!a) {
      problems.push(`${label}: listener ${e.name} has no status`);
      continue;
    }
    const aKinds = a.supportedKinds ?? [];
    if (e.supportedKinds.length === 0 && aKinds.length !== 0) {
      problems.push(`${label}: listener ${e.name} supportedKinds must be empty, got ${formatKinds(aKinds)}`);
    }
    const missingKinds = e.supportedKinds.filter(
      (k) => !aKinds.some((x) => (x.group ?? GATEWAY_GROUP) === (k.group ?? GATEWAY_GROUP) && x.kind === k.kind),
    );
    if (missingKinds.length > 0) {
      problems.push(`${label}: listener ${e.name} supportedKinds ${formatKinds(aKinds)} lacks ${formatKinds(missingKinds)}`);
    }
    if ((a.attachedRoutes ?? 0) !== e.attachedRoutes || a.attachedRoutes === undefined) {
      problems.push(`${label}: listener ${e.name} attachedRoutes expected ${e.attachedRoutes}, got ${a.attachedRoutes ?? '(absent)'}`);
    }
    const missing = missingConditions(e.conditions, a.conditions ?? []);
    if (missing.length > 0) {
      problems.push(`${label}: listener ${e.name} lacks ${missing.map(formatCondition).join(', ')}; has ${formatConditions(a.conditions ?? [])}`);
    }
  }
  return problems;
}

/** Each listener (all listeners of the spec when `names` is null) has every expected condition. */
function listenerConditionProblems(
  owner: ObservedObject,
  names: string[] | null,
  expected: ExpectedCondition[],
  label: string,
): string[] {
  const statuses = asArray<ActualListener>(owner.status?.listeners);
  const wanted = names ?? asArray<{ name: string }>((owner.object.spec as { listeners?: unknown } | undefined)?.listeners).map((l) => l.name);
  const problems: string[] = [];
  if (names === null) {
    // Listener statuses of listeners that are not (or no longer) in the spec are judged too.
    for (const s of statuses) if (!wanted.includes(s.name)) wanted.push(s.name);
  }
  if (wanted.length === 0) problems.push(`${label} has no listeners`);
  for (const name of wanted) {
    const s = statuses.find((l) => l.name === name);
    if (!s) {
      problems.push(`${label}: listener ${name} has no status`);
      continue;
    }
    const missing = missingConditions(expected, s.conditions ?? []);
    if (missing.length > 0) problems.push(`${label}: listener ${name} lacks ${missing.map(formatCondition).join(', ')}; has ${formatConditions(s.conditions ?? [])}`);
  }
  return problems;
}

function joined(problems: string[]): CheckResult {
  return problems.length === 0 ? pass : fail(problems.join('; '));
}

// ---------------------------------------------------------------------------------------------
// Scopes for latestObservedGeneration

const DEFAULT_SCOPES: Readonly<Record<string, string>> = {
  GatewayClass: 'status.conditions',
  Gateway: 'status.conditions',
  ListenerSet: 'status.conditions',
  HTTPRoute: 'status.parents[*].conditions',
  GRPCRoute: 'status.parents[*].conditions',
  TLSRoute: 'status.parents[*].conditions',
  TCPRoute: 'status.parents[*].conditions',
  UDPRoute: 'status.parents[*].conditions',
  BackendTLSPolicy: 'status.ancestors[*].conditions',
};

/** Evaluates `a.b[*].c` against an object whose `status` is `status`: the condition lists found. */
export function conditionsAtScope(o: ObservedObject, scope: string): ActualCondition[] {
  let nodes: unknown[] = [{ ...o.object, status: o.status }];
  for (const segment of scope.split('.')) {
    const m = /^([A-Za-z]+)(\[\*\])?$/.exec(segment);
    if (!m) throw new Error(`unsupported scope segment ${JSON.stringify(segment)} in ${scope}`);
    const next: unknown[] = [];
    for (const n of nodes) {
      const v = (n as Record<string, unknown> | undefined)?.[m[1]];
      if (v === undefined) continue;
      if (m[2]) next.push(...asArray(v));
      else next.push(v);
    }
    nodes = next;
  }
  return nodes.flatMap((n) => asArray<ActualCondition>(n));
}

// ---------------------------------------------------------------------------------------------
// The checks

type Item = Record<string, unknown> & { check: string };
type CheckFn = (item: Item, ctx: CheckContext) => CheckResult;

const str = (item: Item, field: string): string => {
  const v = item[field];
  if (typeof v !== 'string') throw new Error(`${item.check}: field ${field} must be a string, got ${JSON.stringify(v)}`);
  return v;
};
const cond = (item: Item, field = 'condition'): ExpectedCondition => item[field] as ExpectedCondition;

/** Gateway/route/ListenerSet parentRef: name equal, namespace equal when set. */
function refNames(ref: { name?: string; namespace?: string } | undefined, target: string): boolean {
  const { namespace, name } = splitName(target);
  return ref?.name === name && (ref.namespace === undefined || ref.namespace === namespace);
}

function routeParents(route: ObservedObject): { parentRef?: Record<string, unknown>; controllerName?: string; conditions?: ActualCondition[] }[] {
  return asArray(route.status?.parents);
}

function formatParent(p: { parentRef?: Record<string, unknown>; controllerName?: string; conditions?: ActualCondition[] }): string {
  const r = p.parentRef ?? {};
  const ns = r.namespace === undefined ? '' : `${String(r.namespace)}/`;
  return `{${String(r.group ?? '(no group)')}/${String(r.kind ?? '(no kind)')} ${ns}${String(r.name)}${r.sectionName ? `#${String(r.sectionName)}` : ''} by ${p.controllerName ?? '(no controller)'} ${formatConditions(p.conditions ?? [])}}`;
}

function staleParentProblems(o: ObservedObject, entries: { conditions?: ActualCondition[] }[], label: string, what: string): string | undefined {
  const stale = entries.flatMap((p) => staleConditions(p.conditions ?? [], generationOf(o)));
  return stale.length > 0 ? `${label}: ${what} conditions not at generation ${generationOf(o)}: ${formatConditions(stale)}` : undefined;
}

/**
 * A check on the object named by `item[field]`: its own conditions must be at the latest
 * generation, then `problemsOf` judges the rest of its status.
 */
function objectCheck(kind: string, field: string, problemsOf: (o: ObservedObject, item: Item, label: string) => string[]): CheckFn {
  return (item, ctx) => {
    const name = str(item, field);
    const o = lookup(ctx, kind, name);
    if (typeof o === 'string') return fail(o);
    const label = describe(kind, name);
    const own = ownConditionsCurrent(o, label);
    const problems = problemsOf(o, item, label);
    return joined(own ? [own, ...problems] : problems);
  };
}

/** `<kind>Condition` checks: the expected condition is in `status.conditions`. */
function objectConditionCheck(kind: string, field: string): CheckFn {
  return objectCheck(kind, field, (o, item, label) => {
    const expected = cond(item);
    return findCondition(conditionsOf(o.status), expected) ? [] : [`${label}: lacks ${formatCondition(expected)}; has ${formatConditions(conditionsOf(o.status))}`];
  });
}

const checks: Record<string, CheckFn> = {
  gatewayAddress(item, ctx) {
    const name = str(item, 'gateway');
    const gw = lookup(ctx, 'Gateway', name);
    if (typeof gw === 'string') return fail(gw);
    const label = describe('Gateway', name);
    const problems: string[] = [];
    const own = ownConditionsCurrent(gw, label);
    if (own) problems.push(own);
    const addresses = asArray<{ type?: string; value?: string }>(gw.status?.addresses);
    // The harness sends traffic to the first IPAddress or Hostname address.
    const usable = addresses.find((a) => (a.type === 'IPAddress' || a.type === 'Hostname') && !!a.value);
    if (!usable) problems.push(`${label}: status.addresses has no IPAddress or Hostname entry with a value; got ${JSON.stringify(addresses)}`);
    if (typeof item.listener === 'string') {
      const listener = item.listener;
      const specListeners = asArray<{ name: string }>((gw.object.spec as { listeners?: unknown }).listeners);
      const setListeners = ctx.view
        .list('ListenerSet')
        .filter((ls) => {
          const p = (ls.object.spec as { parentRef?: { name?: string; namespace?: string } }).parentRef;
          return p?.name === gw.object.metadata.name && (p.namespace ?? ls.object.metadata.namespace) === gw.object.metadata.namespace;
        })
        .flatMap((ls) => asArray<{ name: string }>((ls.object.spec as { listeners?: unknown }).listeners));
      if (![...specListeners, ...setListeners].some((l) => l.name === listener)) {
        problems.push(`${label}: has no listener ${listener} whose port the probe would use`);
      }
    }
    return joined(problems);
  },

  routeParents(item, ctx) {
    const kind = str(item, 'routeKind');
    const name = str(item, 'route');
    const route = lookup(ctx, kind, name);
    if (typeof route === 'string') return fail(route);
    const label = describe(kind, name);
    const actual = routeParents(route);
    const problems: string[] = [];
    const stale = staleParentProblems(route, actual, label, 'parent');
    if (stale) problems.push(stale);
    const namespaceRequired = item.namespaceRequired === true;
    const expected = asArray<{ parentRef: Record<string, unknown>; controllerName: string; conditions: ExpectedCondition[] }>(item.parents);
    for (const e of expected) {
      const controllerName = expectControllerName(e.controllerName, ctx);
      const sameParent = actual.filter((a) => {
        const r = a.parentRef ?? {};
        if (a.controllerName !== controllerName) return false;
        if (r.group === undefined || r.group !== e.parentRef.group) return false;
        if (r.kind === undefined || r.kind !== e.parentRef.kind) return false;
        if (r.name !== e.parentRef.name) return false;
        if (r.namespace !== e.parentRef.namespace && (namespaceRequired || r.namespace !== undefined)) return false;
        return true;
      });
      const want = `{${String(e.parentRef.group)}/${String(e.parentRef.kind)} ${String(e.parentRef.namespace)}/${String(e.parentRef.name)} by ${controllerName} ${e.conditions.map(formatCondition).join(', ')}${namespaceRequired ? ', namespace required' : ''}}`;
      if (sameParent.length === 0) {
        problems.push(`${label}: no parent status matches ${want}; parents: ${actual.length === 0 ? '(none)' : actual.map(formatParent).join(', ')}`);
        continue;
      }
      if (!sameParent.some((a) => missingConditions(e.conditions, a.conditions ?? []).length === 0)) {
        problems.push(`${label}: parent ${want} has the wrong conditions: ${sameParent.map(formatParent).join(', ')}`);
      }
    }
    return joined(problems);
  },

  listenerConditions: objectCheck('Gateway', 'gateway', (gw, item, label) =>
    listenerConditionProblems(gw, (item.listeners as string[] | null) ?? null, asArray(item.conditions), label),
  ),

  routeCondition(item, ctx) {
    const kind = str(item, 'routeKind');
    const name = str(item, 'route');
    const route = lookup(ctx, kind, name);
    if (typeof route === 'string') return fail(route);
    const label = describe(kind, name);
    const parent = str(item, 'gateway');
    const parentKind = typeof item.parentKind === 'string' ? item.parentKind : 'Gateway';
    const actual = routeParents(route);
    const problems: string[] = [];
    const stale = staleParentProblems(route, actual, label, 'parent');
    if (stale) problems.push(stale);
    const expected = cond(item);
    const candidates = actual.filter((p) => refNames(p.parentRef as { name?: string; namespace?: string }, parent));
    if (!candidates.some((p) => findCondition(p.conditions ?? [], expected))) {
      problems.push(
        `${label}: no parent naming ${parentKind} ${parent} has ${formatCondition(expected)}; ${candidates.length === 0 ? `parents: ${actual.length === 0 ? '(none)' : actual.map(formatParent).join(', ')}` : `it has ${candidates.map(formatParent).join(', ')}`}`,
      );
    }
    return joined(problems);
  },

  policyCondition(item, ctx) {
    const kind = str(item, 'kind');
    const name = str(item, 'policy');
    const policy = lookup(ctx, kind, name);
    if (typeof policy === 'string') return fail(policy);
    const label = describe(kind, name);
    const ancestors = asArray<{ ancestorRef?: Record<string, unknown>; controllerName?: string; conditions?: ActualCondition[] }>(policy.status?.ancestors);
    const problems: string[] = [];
    const stale = staleParentProblems(policy, ancestors, label, 'ancestor');
    if (stale) problems.push(stale);
    const gateway = str(item, 'gateway');
    const expected = cond(item);
    const candidates = ancestors.filter((a) => refNames(a.ancestorRef as { name?: string; namespace?: string }, gateway));
    if (!candidates.some((a) => findCondition(a.conditions ?? [], expected))) {
      const shown = (candidates.length > 0 ? candidates : ancestors).map((a) => formatParent({ ...a, parentRef: a.ancestorRef }));
      problems.push(`${label}: no ancestor naming Gateway ${gateway} has ${formatCondition(expected)}; ${candidates.length > 0 ? 'it has' : 'ancestors:'} ${shown.length === 0 ? '(none)' : shown.join(', ')}`);
    }
    return joined(problems);
  },

  gatewayAttachedListenerSets: objectCheck('Gateway', 'gateway', (gw, item, label) => {
    const actual = gw.status?.attachedListenerSets;
    const count = typeof actual === 'number' ? actual : 0;
    if (actual !== undefined && typeof actual !== 'number') return [`${label}: status.attachedListenerSets is not a number: ${JSON.stringify(actual)}`];
    if (count !== item.count) return [`${label}: status.attachedListenerSets expected ${String(item.count)}, got ${actual === undefined ? '(absent) = 0' : count}`];
    return [];
  }),

  listenerSetCondition: objectConditionCheck('ListenerSet', 'listenerSet'),

  listenerSetListeners: objectCheck('ListenerSet', 'listenerSet', (ls, item, label) => matchListeners(asArray(item.listeners), ls.status?.listeners, label)),

  listenerSetListenerConditions: objectCheck('ListenerSet', 'listenerSet', (ls, item, label) =>
    listenerConditionProblems(ls, (item.listeners as string[] | null) ?? null, asArray(item.conditions), label),
  ),

  routeNoAcceptedParents(item, ctx) {
    const kind = str(item, 'routeKind');
    const name = str(item, 'route');
    const route = lookup(ctx, kind, name);
    if (typeof route === 'string') return fail(route);
    const parents = routeParents(route);
    if (parents.length === 0) return pass;
    if (parents.length === 1 && findCondition(parents[0].conditions ?? [], { type: 'Accepted', status: 'False' })) return pass;
    return fail(`${describe(kind, name)}: expected no parents or exactly one with Accepted=False; parents: ${parents.map(formatParent).join(', ')}`);
  },

  gatewayZeroRoutes(item, ctx) {
    const name = str(item, 'gateway');
    const gw = lookup(ctx, 'Gateway', name);
    if (typeof gw === 'string') return fail(gw);
    const listeners = asArray<ActualListener>(gw.status?.listeners);
    if (listeners.length === 0) return pass;
    if (listeners.length === 1 && listeners[0].attachedRoutes === 0) return pass;
    return fail(
      `${describe('Gateway', name)}: expected no listener status or exactly one with attachedRoutes 0; got ${listeners.map((l) => `${l.name}: ${l.attachedRoutes ?? '(absent)'}`).join(', ')}`,
    );
  },

  gatewayListeners: objectCheck('Gateway', 'gateway', (gw, item, label) => matchListeners(asArray(item.listeners), gw.status?.listeners, label)),

  gatewayCondition: objectConditionCheck('Gateway', 'gateway'),

  gatewayClassCondition: objectConditionCheck('GatewayClass', 'gatewayClass'),

  latestObservedGeneration(item, ctx) {
    const kind = str(item, 'kind');
    const name = str(item, 'name');
    const o = lookup(ctx, kind, name);
    if (typeof o === 'string') return fail(o);
    const scope = typeof item.scope === 'string' ? item.scope : DEFAULT_SCOPES[kind];
    if (!scope) throw new Error(`latestObservedGeneration: no default scope for kind ${kind}`);
    const conds = conditionsAtScope(o, scope);
    const label = describe(kind, name);
    if (conds.length === 0) return fail(`${label}: no conditions at ${scope}`);
    const stale = staleConditions(conds, generationOf(o));
    return stale.length === 0 ? pass : fail(`${label}: ${scope} not at generation ${generationOf(o)}: ${formatConditions(stale)}`);
  },

  generationChanged(item, ctx) {
    const kind = str(item, 'kind');
    const name = str(item, 'name');
    const o = lookup(ctx, kind, name);
    if (typeof o === 'string') return fail(o);
    if (!ctx.before) return fail(`${describe(kind, name)}: generationChanged is only meaningful after a mutation`);
    const prior = ctx.before.get(kind, name);
    if (!prior) return fail(`${describe(kind, name)} did not exist before the mutation`);
    const a = generationOf(prior);
    const b = generationOf(o);
    return b > a ? pass : fail(`${describe(kind, name)}: metadata.generation did not increase (before ${a}, after ${b})`);
  },

  namespacesReady(item, ctx) {
    const problems: string[] = [];
    for (const ns of asArray<string>(item.namespaces)) {
      for (const gw of ctx.view.list('Gateway', ns)) {
        if (gw.object.metadata.annotations?.['gateway-api/skip-this-for-readiness'] === 'true') continue;
        const label = describe('Gateway', `${ns}/${gw.object.metadata.name}`);
        const own = ownConditionsCurrent(gw, label);
        if (own) {
          problems.push(own);
          continue;
        }
        const missing = missingConditions([{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True' }], conditionsOf(gw.status));
        if (missing.length > 0) problems.push(`${label}: not ready, lacks ${missing.map(formatCondition).join(', ')}; has ${formatConditions(conditionsOf(gw.status))}`);
      }
    }
    return joined(problems);
  },

  gatewayStatusAddresses(item, ctx) {
    const name = str(item, 'gateway');
    const gw = lookup(ctx, 'Gateway', name);
    if (typeof gw === 'string') return fail(gw);
    const original = ctx.original.get('Gateway', name);
    if (!original) return fail(`${describe('Gateway', name)} did not exist before the mutations`);
    const label = describe('Gateway', name);
    const specAddresses = asArray<{ type?: string; value?: string }>((original.object.spec as { addresses?: unknown }).addresses);
    const resolveValue = (placeholder: string): { type?: string; value?: string } => {
      // The corpus names addresses by their role in the original [invalid, unusable, usable] list.
      if (/^<the usable address value/.test(placeholder)) return specAddresses[2] ?? {};
      if (/^<the unusable address value>$/.test(placeholder)) return specAddresses[1] ?? {};
      if (/^<the invalid address value>$/.test(placeholder)) return specAddresses[0] ?? {};
      throw new Error(`gatewayStatusAddresses: unknown placeholder ${placeholder}`);
    };
    if (specAddresses.length !== 3) return fail(`${label}: expected the original spec.addresses to be [invalid, unusable, usable], got ${JSON.stringify(specAddresses)}`);
    const actual = asArray<{ type?: string; value?: string }>(gw.status?.addresses);
    const problems: string[] = [];
    const own = ownConditionsCurrent(gw, label);
    if (own) problems.push(own);
    if (actual.length !== item.count) problems.push(`${label}: expected ${String(item.count)} status.addresses, got ${JSON.stringify(actual)}`);
    const want = resolveValue(str(item, 'mustContain'));
    if (!actual.some((a) => a.value === want.value && (a.type ?? 'IPAddress') === (want.type ?? 'IPAddress'))) {
      problems.push(`${label}: status.addresses ${JSON.stringify(actual)} lacks ${JSON.stringify(want)}`);
    }
    for (const p of asArray<string>(item.mustNotContain)) {
      const bad = resolveValue(p);
      if (actual.some((a) => a.value === bad.value)) problems.push(`${label}: status.addresses must not contain ${JSON.stringify(bad.value)}`);
    }
    return joined(problems);
  },
};

/** Every check kind this module judges or knowingly cannot judge. */
export const CHECK_KINDS: readonly string[] = [...Object.keys(checks), ...Object.keys(UNJUDGEABLE_CHECKS)];

export function runCheck(item: Item, ctx: CheckContext): CheckResult {
  const unjudgeable = UNJUDGEABLE_CHECKS[item.check];
  if (unjudgeable) return { outcome: 'unjudged', reason: unjudgeable };
  const fn = checks[item.check];
  if (!fn) throw new Error(`unknown status check kind ${item.check}`);
  return fn(item, ctx);
}

/** One line naming a status item: kind, target, phase and subtest. */
export function describeItem(item: Item): string {
  const target = ['gateway', 'route', 'policy', 'listenerSet', 'gatewayClass', 'name']
    .map((f) => item[f])
    .filter((v): v is string => typeof v === 'string');
  const ns = Array.isArray(item.namespaces) ? ` ${item.namespaces.join(',')}` : '';
  const phase = item.phase ? ` [${item.phase}]` : '';
  const subtest = item.subtest ? ` (${String(item.subtest)})` : '';
  return `${item.check}${target.length ? ` ${target.join(' @ ')}` : ''}${ns}${phase}${subtest}`;
}
