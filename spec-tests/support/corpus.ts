/**
 * The Gateway API conformance corpus (shared/conformance beside the repository), read in place:
 * index.json, tests/*.json, base.yaml and features.json, typed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../src/load/load.js';
import type { JsonPatchOperation } from './json-patch.js';

// ---------------------------------------------------------------------------------------------
// The corpus

export const CONFORMANCE_DIR = fileURLToPath(new URL('../../../shared/conformance/', import.meta.url));

/** The GatewayClass under test (the base manifests name no class; the suite is run against this one). */
export const GATEWAY_CLASS_NAME = 'gateway-conformance';

export interface IndexEntry {
  name: string;
  file: string;
  features: string[];
  profiles: string[];
  provisional: boolean;
  manifests: string[];
  counts: Record<string, number>;
  hasTraffic: boolean;
  hasMutations: boolean;
}

export interface CorpusIndex {
  upstream: { repo: string; tag: string; commit: string };
  totals: Record<string, number>;
  tests: IndexEntry[];
}

export interface Mutation {
  /** Set when a test has several mutations; phases name it as `afterMutation:<id>`. */
  id?: string;
  kind: string;
  /** `namespace/name`, or `name` for cluster-scoped kinds. */
  name: string;
  description?: string;
  mergePatchDescription?: string;
  jsonPatch?: JsonPatchOperation[];
  /** An RFC 7386 merge patch, for mutations written that way. */
  mergePatch?: unknown;
  delete?: boolean;
  create?: KubeObject;
  delayBeforeSeconds?: number;
}

/** One `status[]` item; the check-specific fields are read by status-checks.ts. */
export interface StatusItem {
  check: string;
  phase?: string;
  subtest?: string;
  source?: string;
  [field: string]: unknown;
}

export interface ConformanceTest {
  name: string;
  description: string;
  features: string[];
  profiles: string[];
  provisional: boolean;
  parallel: boolean;
  source: string;
  manifests: string[];
  manifestsYaml: string;
  mutations?: Mutation[];
  status: StatusItem[];
  skipIfSupported?: string[];
  skipUnlessSupported?: string[];
  notes: string;
}

function readCorpusFile(relative: string): string {
  const path = `${CONFORMANCE_DIR}${relative}`;
  if (!existsSync(path)) throw new Error(`conformance corpus file not found: ${path} (the corpus lives in shared/conformance beside the repository)`);
  return readFileSync(path, 'utf8');
}

let indexCache: CorpusIndex | undefined;
export function corpusIndex(): CorpusIndex {
  indexCache ??= JSON.parse(readCorpusFile('index.json')) as CorpusIndex;
  return indexCache;
}

const testCache = new Map<string, ConformanceTest>();
export function loadConformanceTest(name: string): ConformanceTest {
  let t = testCache.get(name);
  if (!t) {
    const entry = corpusIndex().tests.find((e) => e.name === name);
    if (!entry) throw new Error(`conformance test ${name} is not in index.json`);
    t = JSON.parse(readCorpusFile(entry.file)) as ConformanceTest;
    testCache.set(name, t);
  }
  return t;
}

export function allConformanceTests(): ConformanceTest[] {
  return corpusIndex().tests.map((e) => loadConformanceTest(e.name));
}

let baseCache: string | undefined;
export function baseManifests(): string {
  baseCache ??= readCorpusFile('base.yaml');
  return baseCache;
}

// ---------------------------------------------------------------------------------------------
// Supported features (for skipIfSupported / skipUnlessSupported)

/**
 * The features Switchyard claims: every core and extended feature of the gateway profiles it
 * targets (GATEWAY-HTTP, GATEWAY-GRPC, GATEWAY-TLS, GATEWAY-TCP, GATEWAY-UDP), per features.json.
 */
export const TARGET_PROFILES = ['GATEWAY-HTTP', 'GATEWAY-GRPC', 'GATEWAY-TLS', 'GATEWAY-TCP', 'GATEWAY-UDP'] as const;

let featuresCache: Set<string> | undefined;
export function supportedFeatures(): ReadonlySet<string> {
  if (!featuresCache) {
    const doc = JSON.parse(readCorpusFile('features.json')) as { profiles: Record<string, { core: string[]; extended: string[] }> };
    featuresCache = new Set<string>();
    for (const p of TARGET_PROFILES) {
      const profile = doc.profiles[p];
      if (!profile) throw new Error(`features.json has no profile ${p}`);
      for (const f of [...profile.core, ...profile.extended]) featuresCache.add(f);
    }
  }
  return featuresCache;
}

/** Why the test body returns at once (passing without checks), or undefined when it runs. */
export function skipReason(test: ConformanceTest, features: ReadonlySet<string> = supportedFeatures()): string | undefined {
  const claimed = (test.skipIfSupported ?? []).filter((f) => features.has(f));
  if (test.skipIfSupported && test.skipIfSupported.length > 0 && claimed.length === test.skipIfSupported.length) {
    return `skipIfSupported: ${claimed.join(', ')} supported`;
  }
  const missing = (test.skipUnlessSupported ?? []).filter((f) => !features.has(f));
  if (missing.length > 0) return `skipUnlessSupported: ${missing.join(', ')} not supported`;
  return undefined;
}
