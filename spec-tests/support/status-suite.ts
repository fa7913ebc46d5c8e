/**
 * Runs one conformance test's `status[]` expectations through the real pipeline: the test's
 * cluster (conformance.ts) in each phase goes through load -> validate -> resolve, and each
 * status item is judged (status-checks.ts) in the phase it names.
 */
import { formatDiagnostic, type Diagnostic } from '../../src/diagnostics.js';
import { objectKey } from '../../src/model/objects.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/resolve/types.js';
import { buildCluster, runPipeline, stateIndexForPhase, type AddressPools, type PipelineRun } from './conformance.js';
import { skipReason, type ConformanceTest, type StatusItem } from './corpus.js';
import { describeItem, runCheck, type CheckResult, type ObservedObject, type StatusView } from './status-checks.js';

/**
 * The suite's address configuration for GatewayStaticAddresses (upstream: the
 * `--usable-network-addresses` / `--unusable-network-addresses` flags): the loopback address
 * is bound on every host; 192.0.2.1 (TEST-NET-1, RFC 5737) never is.
 */
export const SUITE_ADDRESS_POOLS: AddressPools = {
  usable: [{ type: 'IPAddress', value: '127.0.0.1' }],
  unusable: [{ type: 'IPAddress', value: '192.0.2.1' }],
};

export interface CheckOutcome {
  item: StatusItem;
  description: string;
  result: CheckResult;
}

export interface TestOutcome {
  test: ConformanceTest;
  /** Set when the test body returns at once (skipIfSupported / skipUnlessSupported). */
  skipped?: string;
  checks: CheckOutcome[];
  /** Error-severity findings of the loader, validator and resolver, over all phases (deduplicated). */
  errors: string[];
  /** Set when the cluster could not be built or the pipeline threw. */
  crash?: string;
}

export function passedChecks(o: TestOutcome): number {
  return o.checks.filter((c) => c.result.outcome === 'pass').length;
}

export function testPassed(o: TestOutcome): boolean {
  return o.crash === undefined && o.checks.every((c) => c.result.outcome === 'pass');
}

export function viewOf(run: PipelineRun): StatusView {
  const byKey = new Map(run.objects.map((o) => [objectKey(o.object), o]));
  const observe = (o: { object: ObservedObject['object'] }): ObservedObject => ({
    object: o.object,
    status: run.resolution.statuses.get(objectKey(o.object))?.status,
  });
  return {
    get(kind, name) {
      const o = byKey.get(`${kind}/${name}`);
      return o ? observe(o) : undefined;
    },
    list(kind, namespace) {
      return run.objects.filter((o) => o.object.kind === kind && (namespace === undefined || o.object.metadata.namespace === namespace)).map(observe);
    },
  };
}

export interface StatusRunOptions {
  controllerName?: string;
}

export async function runStatusTest(test: ConformanceTest, options: StatusRunOptions = {}): Promise<TestOutcome> {
  const controllerName = options.controllerName ?? DEFAULT_CONTROLLER_NAME;
  const skipped = skipReason(test);
  if (skipped) return { test, skipped, checks: [], errors: [] };
  let runs: PipelineRun[];
  try {
    const cluster = await buildCluster(test, { controllerName, addressPools: SUITE_ADDRESS_POOLS });
    runs = runPipeline(cluster, {
      controllerName,
      localAddresses: SUITE_ADDRESS_POOLS.usable.map((a) => a.value),
    });
  } catch (err) {
    const e = err as Error;
    return { test, checks: [], errors: [], crash: `${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n') ?? ''}` };
  }
  const views = runs.map(viewOf);
  const checks = test.status.map((item): CheckOutcome => {
    const description = describeItem(item);
    try {
      const i = stateIndexForPhase(test, item.phase);
      const result = runCheck(item, { view: views[i], before: i > 0 ? views[i - 1] : undefined, original: views[0], controllerName });
      return { item, description, result };
    } catch (err) {
      return { item, description, result: { outcome: 'fail', message: `check could not run: ${(err as Error).message}` } };
    }
  });
  const errors = [...new Set(runs.flatMap((r) => r.diagnostics.filter(isError).map(formatDiagnostic)))];
  return { test, checks, errors };
}

function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

/** A readable account of everything that did not pass. */
export function failureReport(o: TestOutcome): string {
  const lines: string[] = [];
  if (o.crash) lines.push(`crashed: ${o.crash}`);
  for (const c of o.checks) {
    if (c.result.outcome === 'fail') lines.push(`FAIL ${c.description}\n    ${c.result.message}`);
    if (c.result.outcome === 'unjudged') lines.push(`UNJUDGED ${c.description}\n    ${c.result.reason}`);
  }
  if (lines.length > 0 && o.errors.length > 0) lines.push(`pipeline errors:\n    ${o.errors.join('\n    ')}`);
  return lines.join('\n');
}
