import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/load/load.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/resolve/types.js';
import { allConformanceTests } from './corpus.js';
import {
  CHECK_KINDS,
  conditionsAtScope,
  runCheck,
  type CheckContext,
  type CheckResult,
  type ObservedObject,
  type StatusView,
} from './status-checks.js';

const INFRA = 'gateway-conformance-infra';
const G = 'gateway.networking.k8s.io';

type Status = Record<string, unknown>;

function obj(kind: string, name: string, spec: unknown = {}, generation = 1, annotations?: Record<string, string>): KubeObject {
  const [namespace, n] = name.includes('/') ? name.split('/') : [undefined, name];
  return { apiVersion: `${G}/v1`, kind, metadata: { name: n, namespace, generation, annotations }, spec };
}

function view(entries: [KubeObject, Status | undefined][]): StatusView {
  const observed: ObservedObject[] = entries.map(([object, status]) => ({ object, status }));
  const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
  return {
    get: (kind, name) => observed.find((o) => key(o.object) === `${kind}/${name}`),
    list: (kind, ns) => observed.filter((o) => o.object.kind === kind && (ns === undefined || o.object.metadata.namespace === ns)),
  };
}

function ctxOf(entries: [KubeObject, Status | undefined][], before?: [KubeObject, Status | undefined][]): CheckContext {
  const v = view(entries);
  return { view: v, before: before ? view(before) : undefined, original: before ? view(before) : v, controllerName: DEFAULT_CONTROLLER_NAME };
}

const c = (type: string, status: string, reason: string, observedGeneration = 1) => ({ type, status, reason, message: '', observedGeneration, lastTransitionTime: '1970-01-01T00:00:00Z' });

function expectPass(r: CheckResult) {
  expect(r).toEqual({ outcome: 'pass' });
}
function expectFail(r: CheckResult, message: RegExp) {
  expect(r.outcome).toBe('fail');
  expect(r.outcome === 'fail' ? r.message : '').toMatch(message);
}

const gwReady = { conditions: [c('Accepted', 'True', 'Accepted'), c('Programmed', 'True', 'Programmed')] };

describe('status check kinds', () => {
  it('judge (or knowingly refuse) every check kind the corpus uses', () => {
    const used = new Set(allConformanceTests().flatMap((t) => t.status.map((s) => s.check)));
    expect([...used].filter((k) => !CHECK_KINDS.includes(k))).toEqual([]);
  });

  it('infrastructurePropagation is unjudged with its reason, never passed', () => {
    const r = runCheck({ check: 'infrastructurePropagation', gateway: `${INFRA}/gw` }, ctxOf([]));
    expect(r.outcome).toBe('unjudged');
    expect(r.outcome === 'unjudged' ? r.reason : '').toMatch(/live cluster/);
  });

  it('unknown kinds throw', () => {
    expect(() => runCheck({ check: 'nope' }, ctxOf([]))).toThrow(/unknown status check kind nope/);
  });
});

describe('gatewayAddress', () => {
  const gw = obj('Gateway', `${INFRA}/gw`, { listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] });
  const item = { check: 'gatewayAddress', gateway: `${INFRA}/gw`, listener: 'http' };
  it('needs an IPAddress/Hostname address with a value and current conditions', () => {
    expectPass(runCheck(item, ctxOf([[gw, { ...gwReady, addresses: [{ type: 'IPAddress', value: '127.0.0.1' }] }]])));
    expectFail(runCheck(item, ctxOf([[gw, { ...gwReady, addresses: [] }]])), /no IPAddress or Hostname entry/);
    expectFail(runCheck(item, ctxOf([[gw, { ...gwReady, addresses: [{ value: '127.0.0.1' }] }]])), /no IPAddress or Hostname entry/);
    expectFail(
      runCheck(item, ctxOf([[gw, { conditions: [c('Accepted', 'True', 'Accepted', 0)], addresses: [{ type: 'IPAddress', value: '1.2.3.4' }] }]])),
      /not at generation 1: \[Accepted=True\/Accepted @gen 0\]/,
    );
    expectFail(runCheck({ ...item, listener: 'other' }, ctxOf([[gw, { ...gwReady, addresses: [{ type: 'IPAddress', value: '1.2.3.4' }] }]])), /no listener other/);
    expectFail(runCheck(item, ctxOf([])), /does not exist/);
  });
});

describe('routeParents', () => {
  const route = obj('HTTPRoute', `${INFRA}/r`);
  const expected = {
    check: 'routeParents',
    routeKind: 'HTTPRoute',
    route: `${INFRA}/r`,
    namespaceRequired: false,
    parents: [
      {
        parentRef: { group: G, kind: 'Gateway', name: 'same-namespace', namespace: INFRA },
        controllerName: '<suite controllerName>',
        conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
      },
    ],
  };
  const parent = (ref: Record<string, unknown>, conditions = [c('Accepted', 'True', 'Accepted'), c('ResolvedRefs', 'True', 'ResolvedRefs')], controllerName = DEFAULT_CONTROLLER_NAME) => ({
    parentRef: ref,
    controllerName,
    conditions,
  });
  it('matches group, kind, name, controller; conditions as a subset; extra parents allowed', () => {
    expectPass(runCheck(expected, ctxOf([[route, { parents: [parent({ group: G, kind: 'Gateway', name: 'other' }), parent({ group: G, kind: 'Gateway', name: 'same-namespace', sectionName: 'x' })] }]])));
  });
  it('requires group and kind to be spelled out', () => {
    expectFail(runCheck(expected, ctxOf([[route, { parents: [parent({ kind: 'Gateway', name: 'same-namespace' })] }]])), /no parent status matches/);
    expectFail(runCheck(expected, ctxOf([[route, { parents: [parent({ group: G, name: 'same-namespace' })] }]])), /no parent status matches/);
  });
  it('requires the implementation controller name', () => {
    expectFail(runCheck(expected, ctxOf([[route, { parents: [parent({ group: G, kind: 'Gateway', name: 'same-namespace' }), ].map((p) => ({ ...p, controllerName: 'other.io/x' })) }]])), /no parent status matches/);
  });
  it('compares the namespace when set or required', () => {
    expectFail(runCheck(expected, ctxOf([[route, { parents: [parent({ group: G, kind: 'Gateway', name: 'same-namespace', namespace: 'elsewhere' })] }]])), /no parent status matches/);
    expectFail(runCheck({ ...expected, namespaceRequired: true }, ctxOf([[route, { parents: [parent({ group: G, kind: 'Gateway', name: 'same-namespace' })] }]])), /namespace required/);
    expectPass(runCheck(expected, ctxOf([[route, { parents: [parent({ group: G, kind: 'Gateway', name: 'same-namespace' })] }]])));
  });
  it('reports wrong conditions and stale generations', () => {
    expectFail(
      runCheck(expected, ctxOf([[route, { parents: [parent({ group: G, kind: 'Gateway', name: 'same-namespace' }, [c('Accepted', 'False', 'NotAllowedByListeners')])] }]])),
      /wrong conditions: .*Accepted=False\/NotAllowedByListeners/,
    );
    const stale = obj('HTTPRoute', `${INFRA}/r`, {}, 2);
    expectFail(runCheck(expected, ctxOf([[stale, { parents: [parent({ group: G, kind: 'Gateway', name: 'same-namespace' })] }]])), /not at generation 2/);
    expectFail(runCheck(expected, ctxOf([[route, {}]])), /parents: \(none\)/);
  });
});

describe('listenerConditions / listenerSetListenerConditions', () => {
  const gw = obj('Gateway', `${INFRA}/gw`, { listeners: [{ name: 'a' }, { name: 'b' }] });
  const ok = [c('Accepted', 'True', 'Accepted'), c('ResolvedRefs', 'True', 'ResolvedRefs'), c('Programmed', 'True', 'Programmed')];
  const item = { check: 'listenerConditions', gateway: `${INFRA}/gw`, listeners: null, conditions: [{ type: 'ResolvedRefs', status: 'True' }, { type: 'Programmed', status: 'True' }] };
  it('all listeners of the spec must have every condition (any reason)', () => {
    expectPass(runCheck(item, ctxOf([[gw, { ...gwReady, listeners: [{ name: 'a', conditions: ok }, { name: 'b', conditions: ok }] }]])));
    expectFail(runCheck(item, ctxOf([[gw, { ...gwReady, listeners: [{ name: 'a', conditions: ok }] }]])), /listener b has no status/);
    expectFail(
      runCheck(item, ctxOf([[gw, { ...gwReady, listeners: [{ name: 'a', conditions: ok }, { name: 'b', conditions: [c('Programmed', 'False', 'Invalid')] }] }]])),
      /listener b lacks ResolvedRefs=True, Programmed=True/,
    );
  });
  it('named listeners only', () => {
    expectPass(runCheck({ ...item, listeners: ['a'] }, ctxOf([[gw, { ...gwReady, listeners: [{ name: 'a', conditions: ok }, { name: 'b', conditions: [] }] }]])));
    expectFail(runCheck({ ...item, listeners: ['zz'] }, ctxOf([[gw, { ...gwReady, listeners: [{ name: 'a', conditions: ok }] }]])), /listener zz has no status/);
  });
  it('ListenerSet variant reads the ListenerSet and needs its own conditions current', () => {
    const ls = obj('ListenerSet', `${INFRA}/ls`, { listeners: [{ name: 'l' }] }, 3);
    const lsItem = { check: 'listenerSetListenerConditions', listenerSet: `${INFRA}/ls`, listeners: null, conditions: [{ type: 'Accepted', status: 'True' }] };
    expectPass(runCheck(lsItem, ctxOf([[ls, { conditions: [c('Accepted', 'True', 'Accepted', 3)], listeners: [{ name: 'l', conditions: [c('Accepted', 'True', 'Accepted', 3)] }] }]])));
    expectFail(runCheck(lsItem, ctxOf([[ls, { conditions: [c('Accepted', 'True', 'Accepted', 1)], listeners: [{ name: 'l', conditions: [c('Accepted', 'True', 'Accepted', 3)] }] }]])), /not at generation 3/);
  });
});

describe('routeCondition / policyCondition', () => {
  const route = obj('TCPRoute', `${INFRA}/r`);
  const item = { check: 'routeCondition', routeKind: 'TCPRoute', route: `${INFRA}/r`, gateway: `${INFRA}/gw`, condition: { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound' } };
  it('some parent naming the gateway has the condition', () => {
    const p = (name: string, namespace: string | undefined, conds: unknown[]) => ({ parentRef: { group: G, kind: 'Gateway', name, namespace }, controllerName: DEFAULT_CONTROLLER_NAME, conditions: conds });
    expectPass(runCheck(item, ctxOf([[route, { parents: [p('gw', undefined, [c('ResolvedRefs', 'False', 'BackendNotFound')])] }]])));
    expectFail(runCheck(item, ctxOf([[route, { parents: [p('gw', 'other-ns', [c('ResolvedRefs', 'False', 'BackendNotFound')])] }]])), /no parent naming Gateway/);
    expectFail(runCheck(item, ctxOf([[route, { parents: [p('gw', INFRA, [c('ResolvedRefs', 'False', 'RefNotPermitted')])] }]])), /it has .*RefNotPermitted/);
    expectFail(
      runCheck(item, ctxOf([[route, { parents: [p('gw', INFRA, [c('ResolvedRefs', 'False', 'BackendNotFound')]), p('x', INFRA, [c('Accepted', 'True', 'Accepted', 0)])] }]])),
      /not at generation 1/,
    );
  });
  it('policy ancestors', () => {
    const pol = obj('BackendTLSPolicy', `${INFRA}/p`, {}, 2);
    const pItem = { check: 'policyCondition', kind: 'BackendTLSPolicy', policy: `${INFRA}/p`, gateway: `${INFRA}/gw`, condition: { type: 'Accepted', status: 'True', reason: 'Accepted' } };
    const anc = (gen: number) => ({ ancestorRef: { group: G, kind: 'Gateway', name: 'gw', namespace: INFRA }, controllerName: DEFAULT_CONTROLLER_NAME, conditions: [c('Accepted', 'True', 'Accepted', gen)] });
    expectPass(runCheck(pItem, ctxOf([[pol, { ancestors: [anc(2)] }]])));
    expectFail(runCheck(pItem, ctxOf([[pol, { ancestors: [anc(1)] }]])), /ancestor conditions not at generation 2/);
    expectFail(runCheck(pItem, ctxOf([[pol, { ancestors: [] }]])), /ancestors: \(none\)/);
  });
});

describe('listener lists (gatewayListeners / listenerSetListeners)', () => {
  const gw = obj('Gateway', `${INFRA}/gw`);
  const item = {
    check: 'gatewayListeners',
    gateway: `${INFRA}/gw`,
    listeners: [{ name: 'http', supportedKinds: [], attachedRoutes: 0, conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' }] }],
  };
  const l = (kinds: unknown[], attachedRoutes = 0, conditions = [c('ResolvedRefs', 'False', 'InvalidRouteKinds')]) => ({ name: 'http', supportedKinds: kinds, attachedRoutes, conditions });
  it('an empty expected supportedKinds means empty', () => {
    expectPass(runCheck(item, ctxOf([[gw, { ...gwReady, listeners: [l([])] }]])));
    expectFail(runCheck(item, ctxOf([[gw, { ...gwReady, listeners: [l([{ group: G, kind: 'HTTPRoute' }])] }]])), /supportedKinds must be empty/);
  });
  it('supportedKinds is a superset, attachedRoutes exact, count exact', () => {
    const want = { ...item, listeners: [{ ...item.listeners[0], supportedKinds: [{ group: G, kind: 'HTTPRoute' }], attachedRoutes: 2 }] };
    expectPass(runCheck(want, ctxOf([[gw, { ...gwReady, listeners: [l([{ group: G, kind: 'HTTPRoute' }, { group: G, kind: 'GRPCRoute' }], 2)] }]])));
    expectPass(runCheck(want, ctxOf([[gw, { ...gwReady, listeners: [l([{ kind: 'HTTPRoute' }], 2)] }]])));
    expectFail(runCheck(want, ctxOf([[gw, { ...gwReady, listeners: [l([{ group: G, kind: 'GRPCRoute' }], 2)] }]])), /lacks \[gateway.networking.k8s.io\/HTTPRoute\]/);
    expectFail(runCheck(want, ctxOf([[gw, { ...gwReady, listeners: [l([{ group: G, kind: 'HTTPRoute' }], 1)] }]])), /attachedRoutes expected 2, got 1/);
    expectFail(runCheck(want, ctxOf([[gw, { ...gwReady, listeners: [l([{ group: G, kind: 'HTTPRoute' }], 2), { ...l([], 0), name: 'extra' }] }]])), /expected 1 listener statuses/);
    expectFail(runCheck(want, ctxOf([[gw, { ...gwReady, listeners: [l([{ group: G, kind: 'HTTPRoute' }], 2, [c('ResolvedRefs', 'True', 'ResolvedRefs')])] }]])), /lacks ResolvedRefs=False\/InvalidRouteKinds/);
  });
  it('listenerSetListeners reads the ListenerSet', () => {
    const ls = obj('ListenerSet', `${INFRA}/ls`);
    const lsItem = { ...item, check: 'listenerSetListeners', listenerSet: `${INFRA}/ls` };
    expectPass(runCheck(lsItem, ctxOf([[ls, { conditions: [c('Accepted', 'True', 'Accepted')], listeners: [l([])] }]])));
    expectFail(runCheck(lsItem, ctxOf([[ls, { listeners: [l([])] }]])), /has no status conditions/);
  });
});

describe('gateway-level counts', () => {
  const gw = obj('Gateway', `${INFRA}/gw`);
  it('gatewayAttachedListenerSets: absent is 0', () => {
    const item = { check: 'gatewayAttachedListenerSets', gateway: `${INFRA}/gw`, count: 0 };
    expectPass(runCheck(item, ctxOf([[gw, gwReady]])));
    expectFail(runCheck(item, ctxOf([[gw, { ...gwReady, attachedListenerSets: 1 }]])), /expected 0, got 1/);
    expectFail(runCheck({ ...item, count: 2 }, ctxOf([[gw, gwReady]])), /expected 2, got \(absent\) = 0/);
  });
  it('gatewayZeroRoutes: no listeners or exactly one with 0 routes', () => {
    const item = { check: 'gatewayZeroRoutes', gateway: `${INFRA}/gw` };
    expectPass(runCheck(item, ctxOf([[gw, {}]])));
    expectPass(runCheck(item, ctxOf([[gw, { listeners: [{ name: 'a', attachedRoutes: 0 }] }]])));
    expectFail(runCheck(item, ctxOf([[gw, { listeners: [{ name: 'a', attachedRoutes: 1 }] }]])), /a: 1/);
    expectFail(runCheck(item, ctxOf([[gw, { listeners: [{ name: 'a', attachedRoutes: 0 }, { name: 'b', attachedRoutes: 0 }] }]])), /exactly one/);
  });
  it('routeNoAcceptedParents: none, or one with Accepted=False', () => {
    const r = obj('HTTPRoute', `${INFRA}/r`);
    const item = { check: 'routeNoAcceptedParents', routeKind: 'HTTPRoute', route: `${INFRA}/r` };
    const p = (status: string) => ({ parentRef: { name: 'gw' }, controllerName: DEFAULT_CONTROLLER_NAME, conditions: [c('Accepted', status, 'X')] });
    expectPass(runCheck(item, ctxOf([[r, { parents: [] }]])));
    expectPass(runCheck(item, ctxOf([[r, { parents: [p('False')] }]])));
    expectFail(runCheck(item, ctxOf([[r, { parents: [p('True')] }]])), /exactly one with Accepted=False/);
    expectFail(runCheck(item, ctxOf([[r, { parents: [p('False'), p('False')] }]])), /exactly one/);
  });
});

describe('object conditions and generations', () => {
  it('gatewayCondition / gatewayClassCondition / listenerSetCondition: condition present and current; absent status or reason matches any', () => {
    const gw = obj('Gateway', `${INFRA}/gw`, {}, 2);
    const item = { check: 'gatewayCondition', gateway: `${INFRA}/gw`, condition: { type: 'Programmed', status: 'False', reason: 'AddressNotUsable' } };
    expectPass(runCheck(item, ctxOf([[gw, { conditions: [c('Accepted', 'True', 'Accepted', 2), c('Programmed', 'False', 'AddressNotUsable', 2)] }]])));
    expectFail(runCheck(item, ctxOf([[gw, { conditions: [c('Programmed', 'False', 'Invalid', 2)] }]])), /lacks Programmed=False\/AddressNotUsable/);
    expectFail(runCheck(item, ctxOf([[gw, { conditions: [c('Programmed', 'False', 'AddressNotUsable', 1)] }]])), /not at generation 2/);
    const gc = obj('GatewayClass', 'cls');
    const any = { check: 'gatewayClassCondition', gatewayClass: 'cls', condition: { type: 'Accepted' } };
    expectPass(runCheck(any, ctxOf([[gc, { conditions: [c('Accepted', 'False', 'InvalidParameters')] }]])));
    expectFail(runCheck(any, ctxOf([[gc, { conditions: [c('SupportedVersion', 'True', 'SupportedVersion')] }]])), /lacks Accepted=\*/);
    const ls = obj('ListenerSet', `${INFRA}/ls`);
    const lsItem = { check: 'listenerSetCondition', listenerSet: `${INFRA}/ls`, condition: { type: 'Accepted', status: 'False', reason: 'NotAllowed' } };
    expectPass(runCheck(lsItem, ctxOf([[ls, { conditions: [c('Accepted', 'False', 'NotAllowed')] }]])));
    expectFail(runCheck(lsItem, ctxOf([[ls, undefined]])), /has no status conditions/);
  });

  it('latestObservedGeneration: default and explicit scopes, at least one condition', () => {
    const route = obj('HTTPRoute', `${INFRA}/r`, {}, 2);
    const item = { check: 'latestObservedGeneration', kind: 'HTTPRoute', name: `${INFRA}/r`, scope: 'status.parents[*].conditions' };
    const parents = (...gens: number[]) => ({ parents: gens.map((g) => ({ parentRef: { name: 'gw' }, conditions: [c('Accepted', 'True', 'Accepted', g)] })) });
    expectPass(runCheck(item, ctxOf([[route, parents(2, 2)]])));
    expectFail(runCheck(item, ctxOf([[route, parents(2, 1)]])), /not at generation 2: \[Accepted=True\/Accepted @gen 1\]/);
    expectFail(runCheck(item, ctxOf([[route, { parents: [] }]])), /no conditions at status.parents/);
    const gc = obj('GatewayClass', 'cls', {}, 3);
    expectPass(runCheck({ check: 'latestObservedGeneration', kind: 'GatewayClass', name: 'cls' }, ctxOf([[gc, { conditions: [c('Accepted', 'True', 'Accepted', 3)] }]])));
    expect(conditionsAtScope({ object: route, status: parents(1, 2) }, 'status.parents[*].conditions').map((x) => x.observedGeneration)).toEqual([1, 2]);
  });

  it('generationChanged compares with the state before the mutation', () => {
    const before = obj('Gateway', `${INFRA}/gw`, {}, 1);
    const after = obj('Gateway', `${INFRA}/gw`, {}, 2);
    const item = { check: 'generationChanged', kind: 'Gateway', name: `${INFRA}/gw` };
    expectPass(runCheck(item, ctxOf([[after, {}]], [[before, {}]])));
    expectFail(runCheck(item, ctxOf([[before, {}]], [[before, {}]])), /did not increase \(before 1, after 1\)/);
    expectFail(runCheck(item, ctxOf([[after, {}]])), /only meaningful after a mutation/);
  });

  it('namespacesReady: every Gateway Accepted and Programmed, except those skipped for readiness', () => {
    const a = obj('Gateway', `${INFRA}/a`);
    const skipped = obj('Gateway', `${INFRA}/s`, {}, 1, { 'gateway-api/skip-this-for-readiness': 'true' });
    const other = obj('Gateway', 'elsewhere/o');
    const item = { check: 'namespacesReady', namespaces: [INFRA] };
    expectPass(runCheck(item, ctxOf([[a, gwReady], [skipped, {}], [other, {}]])));
    expectFail(runCheck(item, ctxOf([[a, { conditions: [c('Accepted', 'True', 'Accepted'), c('Programmed', 'False', 'Invalid')] }]])), /Gateway gateway-conformance-infra\/a: not ready, lacks Programmed=True/);
    expectFail(runCheck(item, ctxOf([[a, {}]])), /has no status conditions/);
  });

  it('gatewayStatusAddresses resolves the corpus placeholders from the original address list', () => {
    const spec = { addresses: [{ type: 'test/fake-invalid-type', value: 'bad' }, { type: 'IPAddress', value: '192.0.2.1' }, { type: 'IPAddress', value: '127.0.0.1' }] };
    const original = obj('Gateway', `${INFRA}/gw`, spec, 1);
    const now = obj('Gateway', `${INFRA}/gw`, { addresses: [spec.addresses[2]] }, 3);
    const item = {
      check: 'gatewayStatusAddresses',
      gateway: `${INFRA}/gw`,
      count: 1,
      mustContain: '<the usable address value (spec.addresses[2] originally), with the same type>',
      mustNotContain: ['<the unusable address value>', '<the invalid address value>'],
    };
    const conds = [c('Accepted', 'True', 'Accepted', 3)];
    const ctx = (addresses: unknown[]): CheckContext => ({ ...ctxOf([[now, { conditions: conds, addresses }]]), original: view([[original, {}]]) });
    expectPass(runCheck(item, ctx([{ type: 'IPAddress', value: '127.0.0.1' }])));
    expectFail(runCheck(item, ctx([{ type: 'Hostname', value: '127.0.0.1' }])), /lacks/);
    expectFail(runCheck(item, ctx([{ type: 'IPAddress', value: '127.0.0.1' }, { type: 'IPAddress', value: '192.0.2.1' }])), /expected 1 status.addresses.*must not contain "192.0.2.1"/);
  });
});
