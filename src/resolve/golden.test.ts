/**
 * Golden files for the resolver: each `testdata/<case>.in.yaml` goes through
 * load -> validate -> resolve, and the result is written as YAML and compared with
 * `testdata/<case>.out.yaml`:
 *
 *   objects:    every Gateway API object that carries status, as written in the input,
 *               with the status this controller computed (lastTransitionTime blanked);
 *   dataPlane:  per accepted Gateway, its listeners with the attached routes, their
 *               effective hostnames and each rule's backends (or why a backend is unusable);
 *   diagnostics: loader, validation and resolver findings.
 *
 * `UPDATE_GOLDEN=1` (npm run test:golden:update) rewrites the .out.yaml files on purpose;
 * review the diff before keeping it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../diagnostics.js';
import { loadTexts } from '../load/load.js';
import { objectKey } from '../model/objects.js';
import { validate } from '../validate/index.js';
import { resolve } from './index.js';
import type { Resolution, ResolvedListener } from './types.js';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** Every case resolves at this instant; the output blanks it so goldens do not depend on it. */
const NOW = new Date('2026-03-01T12:00:00Z');
const BLANK_TIME = '1970-01-01T00:00:00Z';

const STATUS_KINDS = new Set(['GatewayClass', 'Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'BackendTLSPolicy']);

/** Replaces every `lastTransitionTime` value, at any depth. */
function blankTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(blankTimes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'lastTransitionTime' ? BLANK_TIME : blankTimes(v)]));
  }
  return value;
}

function listenerView(l: ResolvedListener) {
  return {
    name: l.name,
    ...(l.owner.kind === 'ListenerSet' ? { listenerSet: `${l.owner.namespace}/${l.owner.name}` } : {}),
    port: l.port,
    protocol: l.protocol,
    ...(l.hostname ? { hostname: l.hostname } : {}),
    ...(l.tls ? { tls: { mode: l.tls.mode, certificates: l.tls.certificates.map((c) => ({ secret: c.secret, dnsNames: c.dnsNames })) } } : {}),
    ready: l.ready,
    routes: l.routes.map((r) => ({
      route: `${r.kind} ${r.route.metadata.namespace}/${r.route.metadata.name}`,
      hostnames: r.hostnames,
      rules: r.rules.map((rule) => ({
        backends: rule.backends.map((b) =>
          'problem' in b.target
            ? `${b.namespace}/${b.ref.name}${b.ref.port === undefined ? '' : `:${b.ref.port}`} weight=${b.weight} ${b.target.problem}: ${b.target.message}`
            : `${b.target.service.metadata.namespace}/${b.target.service.metadata.name}:${b.target.port.port} weight=${b.weight}`,
        ),
      })),
    })),
  };
}

/** The golden document for one input file. */
function renderGolden(file: string, text: string): string {
  const loaded = loadTexts([{ file, text }]);
  const validated = validate(loaded.objects);
  const resolution: Resolution = resolve(validated.objects, { now: NOW });
  const objects = loaded.objects
    .filter((o) => STATUS_KINDS.has(o.object.kind))
    .map((o) => {
      const valid = validated.objects.find((v) => v.seq === o.seq);
      const status = valid ? resolution.statuses.get(objectKey(valid.object))?.status : undefined;
      const { status: _ignored, ...asWritten } = o.object;
      return { ...asWritten, status: valid ? (status ?? {}) : 'rejected by validation (see diagnostics)' };
    });
  const dataPlane = resolution.gateways.map((g) => ({
    gateway: `${g.gateway.metadata.namespace}/${g.gateway.metadata.name}`,
    listeners: g.listeners.map(listenerView),
  }));
  const diagnostics = [...loaded.diagnostics, ...validated.diagnostics, ...resolution.diagnostics].map(formatDiagnostic);
  return stringify(blankTimes({ objects, dataPlane, diagnostics }), { lineWidth: 0 });
}

const cases = existsSync(TESTDATA)
  ? readdirSync(TESTDATA)
      .filter((f) => f.endsWith('.in.yaml'))
      .map((f) => f.slice(0, -'.in.yaml'.length))
      .sort()
  : [];

describe('resolver golden files', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('blanks every lastTransitionTime', () => {
    expect(blankTimes({ a: [{ lastTransitionTime: '2026-03-01T12:00:00Z', b: { lastTransitionTime: 'x' } }], lastTransitionTimeX: 'kept' })).toEqual({
      a: [{ lastTransitionTime: BLANK_TIME, b: { lastTransitionTime: BLANK_TIME } }],
      lastTransitionTimeX: 'kept',
    });
  });

  for (const name of cases) {
    it(name, () => {
      const inFile = `${TESTDATA}${name}.in.yaml`;
      const outFile = `${TESTDATA}${name}.out.yaml`;
      const actual = renderGolden(`src/resolve/testdata/${name}.in.yaml`, readFileSync(inFile, 'utf8'));
      if (UPDATE) {
        writeFileSync(outFile, actual);
        return;
      }
      expect(existsSync(outFile), `${name}.out.yaml is missing: run npm run test:golden:update and review it`).toBe(true);
      expect(actual).toBe(readFileSync(outFile, 'utf8'));
    });
  }
});
