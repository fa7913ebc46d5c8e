/**
 * The object set a conformance run would have in its cluster for one test of the corpus
 * (corpus.ts): base.yaml + the test's manifests, with the set-up the harness does (class name
 * and controller name overwritten, generated certificate Secrets and CA ConfigMaps), then the
 * test's mutations applied in order, the way the API server would (generation bumps on spec
 * changes, creation timestamps, deletions).
 *
 * Each state of the cluster (before any mutation, after each mutation) is run through the real
 * pipeline: loadTexts -> validate -> resolve.
 */
import { stringify } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics.js';
import { loadTexts, type KubeObject, type LoadedObject } from '../../src/load/load.js';
import { objectKey, type ValidObject } from '../../src/model/objects.js';
import { resolve } from '../../src/resolve/index.js';
import { DEFAULT_CONTROLLER_NAME, type ObjectStatus, type Resolution } from '../../src/resolve/types.js';
import { validate } from '../../src/validate/index.js';
import { conformanceCertificates } from './certificates.js';
import { baseManifests, GATEWAY_CLASS_NAME, type ConformanceTest, type Mutation } from './corpus.js';
import { applyJsonPatch, applyMergePatch, type JsonPatchOperation } from './json-patch.js';

// ---------------------------------------------------------------------------------------------
// The cluster state

/** The `objectKey` of `kind` + `namespace/name` (or `name` for cluster-scoped kinds), as the corpus names objects. */
export function keyOf(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** Addresses the suite is configured with for GatewayStaticAddresses (upstream: suite flags). */
export interface AddressPools {
  usable: { type?: string; value: string }[];
  unusable: { type?: string; value: string }[];
}

export interface ClusterOptions {
  controllerName?: string;
  gatewayClassName?: string;
  /** When absent, Gateways that use the address placeholders keep them verbatim. */
  addressPools?: AddressPools;
  /** Creation time of the base manifests; later steps are a fixed number of seconds after it. */
  startTime?: Date;
}

/** Seconds between the suite's base set-up and a test applying its manifests. */
const MANIFEST_DELAY_S = 10;
/** Seconds between two mutations (the harness waits for status in between). */
const MUTATION_STEP_S = 1;
const DEFAULT_START = new Date('2026-01-01T00:00:00Z');

/**
 * One state of the cluster: objects in creation order (each a fresh copy), and the time.
 * Immutable: mutations return a new state.
 */
export class ClusterState {
  private constructor(
    /** Objects in creation order, keyed by `objectKey`. */
    readonly objects: ReadonlyMap<string, LoadedObject>,
    readonly time: Date,
    private readonly nextSeq: number,
    readonly diagnostics: readonly Diagnostic[],
  ) {}

  static initial(objects: LoadedObject[], time: Date, diagnostics: Diagnostic[]): ClusterState {
    const map = new Map<string, LoadedObject>();
    for (const o of objects) {
      const key = objectKey(o.object);
      if (map.has(key)) throw new Error(`${key} is defined twice in the test's manifests`);
      map.set(key, o);
    }
    const nextSeq = objects.reduce((m, o) => Math.max(m, o.seq + 1), 0);
    return new ClusterState(map, time, nextSeq, diagnostics);
  }

  get(kind: string, name: string): LoadedObject | undefined {
    return this.objects.get(keyOf(kind, name));
  }

  list(): LoadedObject[] {
    return [...this.objects.values()];
  }

  /** Applies one mutation as the API server would; throws when the mutation cannot apply. */
  apply(mutation: Mutation, options: ClusterOptions = {}): ClusterState {
    const time = new Date(this.time.getTime() + (MUTATION_STEP_S + (mutation.delayBeforeSeconds ?? 0)) * 1000);
    const key = keyOf(mutation.kind, mutation.name);
    const next = new Map(this.objects);
    const label = `mutation${mutation.id ? ` ${mutation.id}` : ''} (${mutation.kind} ${mutation.name})`;
    if (mutation.create) {
      if (next.has(key)) throw new Error(`${label}: ${key} already exists`);
      const object = resolvePlaceholders(structuredClone(mutation.create), this, undefined) as KubeObject;
      if (objectKey(object) !== key) throw new Error(`${label}: created object is ${objectKey(object)}`);
      const loaded = loadGenerated([{ file: `<mutation ${mutation.id ?? mutation.name}>`, objects: [object] }], this.nextSeq);
      for (const o of loaded.objects) {
        harnessSetup(o.object, options);
        setCreated(o.object, time);
      }
      next.set(key, loaded.objects[0]);
      return new ClusterState(next, time, this.nextSeq + 1, [...this.diagnostics, ...loaded.diagnostics]);
    }
    const current = next.get(key);
    if (!current) throw new Error(`${label}: ${key} does not exist`);
    if (mutation.delete) {
      next.delete(key);
      return new ClusterState(next, time, this.nextSeq, this.diagnostics);
    }
    const patch = mutation.jsonPatch ?? describedPatch(mutation, current.object, options);
    let object: KubeObject;
    if (patch) {
      object = applyJsonPatch(current.object, resolvePlaceholders(structuredClone(patch), this, current.object) as JsonPatchOperation[]);
    } else if (mutation.mergePatch !== undefined) {
      object = applyMergePatch(current.object, resolvePlaceholders(structuredClone(mutation.mergePatch), this, current.object)) as KubeObject;
    } else {
      throw new Error(`${label}: no jsonPatch, mergePatch, create or delete, and no known transcription of "${mutation.description ?? ''}"`);
    }
    if (specChanged(current.object, object)) {
      object.metadata = { ...object.metadata, generation: (current.object.metadata.generation ?? 1) + 1 };
    }
    next.set(key, { ...current, object });
    return new ClusterState(next, time, this.nextSeq, this.diagnostics);
  }
}

/** The API server bumps metadata.generation when anything outside metadata and status changes. */
export function specChanged(before: KubeObject, after: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return canonical(rest);
  };
  return strip(before) !== strip(after);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Values in the corpus written as `<...>` stand for data the harness reads from the cluster at
 * run time. Every form the corpus uses is resolved here; an unknown one is an error.
 */
function resolvePlaceholders(value: unknown, state: ClusterState, target: KubeObject | undefined): unknown {
  if (typeof value === 'string') {
    if (!/^<.*>$/s.test(value)) return value;
    const data = /^<data\["([^"]+)"\] of ConfigMap ([^/]+)\/([^>]+)>$/.exec(value);
    if (data) {
      const [, key, ns, name] = data;
      const cm = state.get('ConfigMap', `${ns}/${name}`);
      const found = (cm?.object.data as Record<string, string> | undefined)?.[key];
      if (found === undefined) throw new Error(`placeholder ${value}: ConfigMap ${ns}/${name} has no data[${JSON.stringify(key)}]`);
      return found;
    }
    const listeners = /^<the existing listeners filtered to name == "([^"]+)">$/.exec(value);
    if (listeners) {
      const list = (target?.spec as { listeners?: { name: string }[] } | undefined)?.listeners;
      if (!Array.isArray(list)) throw new Error(`placeholder ${value}: the target has no spec.listeners`);
      return list.filter((l) => l.name === listeners[1]);
    }
    throw new Error(`unknown placeholder ${value}`);
  }
  if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, state, target));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v, state, target)]));
  }
  return value;
}

/**
 * Mutations the corpus gives only as prose, transcribed into JSON patches. Each starts with a
 * `test` op that pins the state the prose assumes, so a changed corpus fails loudly.
 */
function describedPatch(mutation: Mutation, current: KubeObject, options: ClusterOptions): JsonPatchOperation[] | undefined {
  if (mutation.kind === 'Gateway' && mutation.id === 'remove-invalid' && mutation.description?.startsWith('remove spec.addresses[0]')) {
    return [{ op: 'test', path: '/spec/addresses/0/type', value: 'test/fake-invalid-type' }, { op: 'remove', path: '/spec/addresses/0' }];
  }
  if (mutation.kind === 'Gateway' && mutation.id === 'remove-unusable' && mutation.description?.startsWith('remove the unusable address')) {
    const unusable = options.addressPools?.unusable ?? [{ value: UNUSABLE_PLACEHOLDER }];
    const addresses = (current.spec as { addresses?: { value?: string }[] }).addresses ?? [];
    const ops: JsonPatchOperation[] = [];
    // After remove-invalid the unusable pool leads the list; remove it from the back so indexes hold.
    for (let i = unusable.length - 1; i >= 0; i--) {
      ops.push({ op: 'test', path: `/spec/addresses/${i}/value`, value: unusable[i].value }, { op: 'remove', path: `/spec/addresses/${i}` });
    }
    if (addresses.length <= unusable.length) throw new Error('remove-unusable: the Gateway has no usable address left to keep');
    return ops;
  }
  return undefined;
}

const UNUSABLE_PLACEHOLDER = 'PLACEHOLDER_UNUSABLE_ADDRS';
const USABLE_PLACEHOLDER = 'PLACEHOLDER_USABLE_ADDRS';

// ---------------------------------------------------------------------------------------------
// Building the initial state

interface GeneratedInput {
  file: string;
  objects: KubeObject[];
}

function loadGenerated(inputs: GeneratedInput[], firstSeq: number) {
  return loadTexts(
    inputs.map((i) => ({ file: i.file, text: i.objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n') })),
    firstSeq,
  );
}

function setCreated(o: KubeObject, time: Date): void {
  o.metadata.generation = 1;
  o.metadata.creationTimestamp = time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The harness set-up applied to an object from the manifests. */
function harnessSetup(o: KubeObject, options: ClusterOptions): void {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (o.kind === 'Gateway' && spec) {
    spec.gatewayClassName = options.gatewayClassName ?? GATEWAY_CLASS_NAME;
    if (Array.isArray(spec.addresses) && options.addressPools) spec.addresses = rewriteAddresses(spec.addresses as { value?: string }[], options.addressPools);
  }
  if (o.kind === 'GatewayClass' && spec) spec.controllerName = options.controllerName ?? DEFAULT_CONTROLLER_NAME;
}

/** Replaces the address placeholders with the configured pools, as the suite does. */
function rewriteAddresses(addresses: { type?: string; value?: string }[], pools: AddressPools): unknown[] {
  return addresses.flatMap((a) => {
    if (a.value === UNUSABLE_PLACEHOLDER) return pools.unusable.map((p) => ({ ...p }));
    if (a.value === USABLE_PLACEHOLDER) return pools.usable.map((p) => ({ ...p }));
    return [a];
  });
}

export interface ConformanceCluster {
  test: ConformanceTest;
  /** states[0]: after applying the manifests; states[i]: after mutations[i - 1]. */
  states: ClusterState[];
}

/**
 * The cluster for `test`: the GatewayClass under test, base.yaml, the generated certificates,
 * the test's manifests (all created in that order), then one state per mutation.
 */
export async function buildCluster(test: ConformanceTest, options: ClusterOptions = {}): Promise<ConformanceCluster> {
  const start = options.startTime ?? DEFAULT_START;
  const certs = await conformanceCertificates();
  const gatewayClass: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: options.gatewayClassName ?? GATEWAY_CLASS_NAME },
    spec: { controllerName: options.controllerName ?? DEFAULT_CONTROLLER_NAME },
  };
  const setup = loadGenerated([{ file: '<harness: GatewayClass>', objects: [gatewayClass] }], 0);
  const base = loadTexts([{ file: 'shared/conformance/base.yaml', text: baseManifests() }], setup.objects.length);
  const generated = loadGenerated(
    [{ file: '<harness: certificates>', objects: [...certs.configMaps, ...certs.secrets] as KubeObject[] }],
    setup.objects.length + base.objects.length,
  );
  const manifests = loadTexts(
    [{ file: `${test.name}: ${test.manifests.join(' + ')}`, text: test.manifestsYaml }],
    setup.objects.length + base.objects.length + generated.objects.length,
  );
  const manifestTime = new Date(start.getTime() + MANIFEST_DELAY_S * 1000);
  const all: LoadedObject[] = [];
  for (const [group, time] of [
    [setup, start],
    [base, start],
    [generated, start],
    [manifests, manifestTime],
  ] as const) {
    for (const o of group.objects) {
      const object = structuredClone(o.object);
      harnessSetup(object, options);
      setCreated(object, time);
      all.push({ ...o, object });
    }
  }
  const diagnostics = [...setup.diagnostics, ...base.diagnostics, ...generated.diagnostics, ...manifests.diagnostics];
  const states = [ClusterState.initial(all, manifestTime, diagnostics)];
  for (const m of test.mutations ?? []) states.push(states[states.length - 1].apply(m, options));
  return { test, states };
}

// ---------------------------------------------------------------------------------------------
// Phases and the pipeline

/** Index into `states` a status item is checked at. */
export function stateIndexForPhase(test: ConformanceTest, phase: string | undefined): number {
  const mutations = test.mutations ?? [];
  if (phase === undefined) return 0;
  if (phase === 'afterMutation') {
    if (mutations.length === 0) throw new Error(`${test.name}: phase afterMutation without mutations`);
    return mutations.length;
  }
  const m = /^afterMutation:(.+)$/.exec(phase);
  if (m) {
    const i = mutations.findIndex((x) => x.id === m[1]);
    if (i < 0) throw new Error(`${test.name}: phase ${phase} names no mutation`);
    return i + 1;
  }
  throw new Error(`${test.name}: unknown phase ${phase}`);
}

export interface PipelineRun {
  state: ClusterState;
  objects: ValidObject[];
  resolution: Resolution;
  /** Loader, validation and resolver findings. */
  diagnostics: Diagnostic[];
}

export interface RunOptions {
  controllerName?: string;
  /** The IP addresses the data plane's host can bind (ResolveOptions.localAddresses). */
  localAddresses?: readonly string[];
}

/** Runs load -> validate -> resolve for each state, carrying statuses forward as a controller does. */
export function runPipeline(cluster: ConformanceCluster, options: RunOptions = {}): PipelineRun[] {
  const runs: PipelineRun[] = [];
  let previous: ReadonlyMap<string, ObjectStatus> | undefined;
  for (const state of cluster.states) {
    const validated = validate(state.list());
    const resolution = resolve(validated.objects, {
      controllerName: options.controllerName ?? DEFAULT_CONTROLLER_NAME,
      now: state.time,
      previous,
      localAddresses: options.localAddresses,
    });
    previous = resolution.statuses;
    runs.push({
      state,
      objects: validated.objects,
      resolution,
      diagnostics: [...state.diagnostics, ...validated.diagnostics, ...resolution.diagnostics],
    });
  }
  return runs;
}
