import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLLER_NAME as OURS } from '../resolve/types.js';
import { statusPatch } from './status.js';
import { gateway, httpRoute } from './testing/objects.js';

const cond = (type: string, status: string, at = '2026-01-01T00:00:00Z') => ({ type, status, reason: type, message: '', observedGeneration: 1, lastTransitionTime: at });
const parentRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: 'gw' };
const withRv = <T extends { metadata: Record<string, unknown> }>(o: T, status?: unknown) => ({ ...o, metadata: { ...o.metadata, resourceVersion: '7' }, ...(status ? { status } : {}) });

describe('statusPatch', () => {
  it('writes only our parent entries of a route and keeps other controllers\' entries', () => {
    const theirs = { parentRef: { ...parentRef, name: 'other' }, controllerName: 'example.com/other', conditions: [cond('Accepted', 'True')] };
    const route = withRv(httpRoute('r', '/'), { parents: [theirs] });
    const ours = { parentRef, controllerName: OURS, conditions: [cond('Accepted', 'True')] };
    const patch = statusPatch(route as any, { parents: [ours] }, OURS);
    expect(patch).toEqual({ metadata: { resourceVersion: '7' }, status: { parents: [theirs, ours] } });
  });

  it('ignores a lastTransitionTime-only difference, and sees any other', () => {
    const ours = { parentRef, controllerName: OURS, conditions: [cond('Accepted', 'True', '2020-01-01T00:00:00Z')] };
    const route = withRv(httpRoute('r', '/'), { parents: [ours] });
    expect(statusPatch(route as any, { parents: [{ ...ours, conditions: [cond('Accepted', 'True')] }] }, OURS)).toBeUndefined();
    expect(statusPatch(route as any, { parents: [{ ...ours, conditions: [cond('Accepted', 'False')] }] }, OURS)).toBeDefined();
  });

  it('removes our entries from a route no longer attached to our Gateways', () => {
    const theirs = { parentRef, controllerName: 'example.com/other', conditions: [] };
    const route = withRv(httpRoute('r', '/'), { parents: [theirs, { parentRef, controllerName: OURS, conditions: [cond('Accepted', 'True')] }] });
    expect(statusPatch(route as any, undefined, OURS)?.status).toEqual({ parents: [theirs] });
    expect(statusPatch(withRv(httpRoute('r', '/'), { parents: [theirs] }) as any, undefined, OURS)).toBeUndefined();
  });

  it('replaces a Gateway status whole, removing keys the controller no longer writes', () => {
    const gw = withRv(gateway(), { conditions: [cond('Accepted', 'True')], stale: 1 });
    expect(statusPatch(gw as any, { conditions: [cond('Accepted', 'True')] }, OURS)?.status).toEqual({ conditions: [cond('Accepted', 'True')], stale: null });
    expect(statusPatch(withRv(gateway(), { conditions: [cond('Accepted', 'True')] }) as any, { conditions: [cond('Accepted', 'True', 'x')] }, OURS)).toBeUndefined();
    // Not ours (no status computed): untouched.
    expect(statusPatch(gw as any, undefined, OURS)).toBeUndefined();
  });
});
