import { describe, expect, it } from 'vitest';
import { ConditionStamper, formatTime } from './conditions.js';
import { resolve } from './index.js';
import { objectsFromYaml } from './test-support.js';

const T0 = new Date('2026-01-01T00:00:00.123Z');
const T1 = new Date('2026-01-02T00:00:00Z');

describe('ConditionStamper', () => {
  const spec = { type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: 'ok' };

  it('writes seconds precision and the generation', () => {
    expect(formatTime(T0)).toBe('2026-01-01T00:00:00Z');
    expect(new ConditionStamper(T0).stamp([spec], 3, undefined)).toEqual([{ ...spec, observedGeneration: 3, lastTransitionTime: '2026-01-01T00:00:00Z' }]);
  });
  it('keeps the time of an unchanged condition', () => {
    const prev = new ConditionStamper(T0).stamp([spec], 3, undefined);
    expect(new ConditionStamper(T1).stamp([spec], 3, prev)[0].lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
  it.each([
    ['status', { ...spec, status: 'False' as const }, 3],
    ['reason', { ...spec, reason: 'Other' }, 3],
    ['message', { ...spec, message: 'changed' }, 3],
    ['generation', spec, 4],
  ])('moves the time when the %s changes', (_what, next, generation) => {
    const prev = new ConditionStamper(T0).stamp([spec], 3, undefined);
    expect(new ConditionStamper(T1).stamp([next], generation, prev)[0].lastTransitionTime).toBe('2026-01-02T00:00:00Z');
  });
});

describe('lastTransitionTime across resolutions', () => {
  const yaml = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: sy }
spec: { controllerName: switchyard.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: infra }
spec:
  gatewayClassName: sy
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: infra }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: svc, port: 80 }] }]
`;
  const svc = `
apiVersion: v1
kind: Service
metadata: { name: svc, namespace: infra }
spec: { ports: [{ port: 80 }] }
`;

  it('keeps unchanged conditions and restamps changed ones, per parent entry', () => {
    const first = resolve(objectsFromYaml(yaml), { now: T0 });
    const route1 = first.statuses.get('HTTPRoute/infra/r')!.status as any;
    expect(route1.parents[0].conditions.find((c: any) => c.type === 'ResolvedRefs').reason).toBe('BackendNotFound');

    const second = resolve(objectsFromYaml(yaml, svc), { now: T1, previous: first.statuses });
    const route2 = second.statuses.get('HTTPRoute/infra/r')!.status as any;
    const accepted = route2.parents[0].conditions.find((c: any) => c.type === 'Accepted');
    const refs = route2.parents[0].conditions.find((c: any) => c.type === 'ResolvedRefs');
    expect(accepted.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(refs).toMatchObject({ status: 'True', reason: 'ResolvedRefs', lastTransitionTime: '2026-01-02T00:00:00Z' });
    const gw = second.statuses.get('Gateway/infra/gw')!.status as any;
    expect(gw.conditions.every((c: any) => c.lastTransitionTime === '2026-01-01T00:00:00Z')).toBe(true);
    expect(gw.listeners[0].conditions.every((c: any) => c.lastTransitionTime === '2026-01-01T00:00:00Z')).toBe(true);
    expect(gw.listeners[0].attachedRoutes).toBe(1);
  });
  it('hands out an unchanged route status again, equal to the one stamped from a copy', () => {
    const other = yaml.slice(yaml.indexOf('apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute')).replace('name: r,', 'name: other,').replace('name: svc, port: 80', 'name: svc, port: 81');
    const first = resolve(objectsFromYaml(yaml, svc, other), { now: T0 });
    const second = resolve(objectsFromYaml(yaml, svc, other.replace('port: 81', 'port: 80')), { now: T1, previous: first.statuses });
    // A status read back from elsewhere (a copy) goes through stamping; the result is the same.
    const copied = resolve(objectsFromYaml(yaml, svc, other.replace('port: 81', 'port: 80')), { now: T1, previous: structuredClone(first.statuses) });
    expect(second.statuses.get('HTTPRoute/infra/r')).toBe(first.statuses.get('HTTPRoute/infra/r'));
    expect(copied.statuses.get('HTTPRoute/infra/r')).not.toBe(first.statuses.get('HTTPRoute/infra/r'));
    expect([...second.statuses]).toEqual([...copied.statuses]);
    const changed = second.statuses.get('HTTPRoute/infra/other')!.status as any;
    expect(changed.parents[0].conditions.find((c: any) => c.type === 'ResolvedRefs')).toMatchObject({ status: 'True', lastTransitionTime: '2026-01-02T00:00:00Z' });
  });
});
