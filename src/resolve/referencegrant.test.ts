import { describe, expect, it } from 'vitest';
import type { ReferenceGrant } from '../model/gateway-api.js';
import { referenceAllowed } from './referencegrant.js';
import { selectorMatches } from './selectors.js';

const G = 'gateway.networking.k8s.io';

function grant(namespace: string, from: ReferenceGrant['spec']['from'], to: ReferenceGrant['spec']['to']): ReferenceGrant {
  return { apiVersion: `${G}/v1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace, generation: 1 }, spec: { from, to } };
}

describe('referenceAllowed', () => {
  const from = { group: G, kind: 'HTTPRoute', namespace: 'routes' };
  const to = { group: '', kind: 'Service', namespace: 'backends', name: 'web' };

  it('allows same-namespace references without a grant', () => {
    expect(referenceAllowed([], { ...from, namespace: 'backends' }, to)).toBe(true);
  });
  it('rejects cross-namespace references without a grant', () => {
    expect(referenceAllowed([], from, to)).toBe(false);
  });
  it('accepts a grant for all Services of the namespace', () => {
    expect(referenceAllowed([grant('backends', [from], [{ group: '', kind: 'Service' }])], from, to)).toBe(true);
  });
  it('honours a named target', () => {
    const g = grant('backends', [from], [{ group: '', kind: 'Service', name: 'other' }]);
    expect(referenceAllowed([g], from, to)).toBe(false);
    expect(referenceAllowed([g], from, { ...to, name: 'other' })).toBe(true);
  });
  it('requires the grant to live in the target namespace', () => {
    expect(referenceAllowed([grant('routes', [from], [{ group: '', kind: 'Service' }])], from, to)).toBe(false);
  });
  it('matches the referrer kind and namespace exactly', () => {
    const g = grant('backends', [{ group: G, kind: 'GRPCRoute', namespace: 'routes' }], [{ group: '', kind: 'Service' }]);
    expect(referenceAllowed([g], from, to)).toBe(false);
    const ls = grant('backends', [{ group: G, kind: 'ListenerSet', namespace: 'infra' }], [{ group: '', kind: 'Secret' }]);
    const secret = { group: '', kind: 'Secret', namespace: 'backends', name: 'cert' };
    expect(referenceAllowed([ls], { group: G, kind: 'ListenerSet', namespace: 'infra' }, secret)).toBe(true);
    expect(referenceAllowed([ls], { group: G, kind: 'ListenerSet', namespace: 'elsewhere' }, secret)).toBe(false);
    expect(referenceAllowed([ls], { group: G, kind: 'Gateway', namespace: 'infra' }, secret)).toBe(false);
  });
});

describe('selectorMatches', () => {
  const labels = { team: 'a', env: 'prod', 'kubernetes.io/metadata.name': 'ns1' };
  it.each([
    [{}, true],
    [{ matchLabels: { team: 'a' } }, true],
    [{ matchLabels: { team: 'b' } }, false],
    [{ matchExpressions: [{ key: 'env', operator: 'In' as const, values: ['prod', 'dev'] }] }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'NotIn' as const, values: ['prod'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' as const }] }, true],
    [{ matchLabels: { 'kubernetes.io/metadata.name': 'ns1' }, matchExpressions: [{ key: 'team', operator: 'Exists' as const }] }, true],
  ])('%j -> %s', (selector, want) => {
    expect(selectorMatches(selector, labels)).toBe(want);
  });
});
