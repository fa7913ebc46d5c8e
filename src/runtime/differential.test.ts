/**
 * Differential test: random scenarios through the Wasm core (compiled table) and the reference
 * matcher must agree on listener, match, backend and outcome for the same generator seed.
 * DIFFERENTIAL_CASES sets the number of requests (default 100,000; `npm run
 * test:differential:long` runs 1,000,000). A disagreement is shrunk and saved under
 * regressions/, which the replay test below runs every time.
 */
import fc from 'fast-check';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileTable } from '../compile/compile.js';
import { ReferenceMatcher } from '../reference/matcher.js';
import { createRouter, loadCoreModule } from './router.js';
import { scenarioArbitrary } from './scenario.arbitrary.js';
import { compareOn, scenarioResolution, type Disagreement, type Scenario } from './scenario.js';

const REGRESSIONS = fileURLToPath(new URL('./regressions/', import.meta.url));
const REQUESTS_PER_SCENARIO = 25;
const CASES = Number(process.env.DIFFERENTIAL_CASES ?? 100_000);

async function disagreement(s: Scenario): Promise<Disagreement | null> {
  const resolution = scenarioResolution(s);
  const router = await createRouter(compileTable(resolution).table, { module: await loadCoreModule() });
  return compareOn(s, new ReferenceMatcher(resolution), router);
}

describe('differential: wasm core vs reference matcher', () => {
  it(`agrees on ${CASES} random requests`, async () => {
    let requests = 0;
    const result = await fc.check(
      fc.asyncProperty(scenarioArbitrary(REQUESTS_PER_SCENARIO), async (s) => {
        requests += s.requests.length;
        return (await disagreement(s)) === null;
      }),
      { numRuns: Math.ceil(CASES / REQUESTS_PER_SCENARIO), seed: Number(process.env.DIFFERENTIAL_SEED ?? Date.now() & 0x7fffffff) },
    );
    if (result.failed && result.counterexample) {
      const [scenario] = result.counterexample;
      const found = await disagreement(scenario);
      const text = JSON.stringify({ ...scenario, disagreement: found }, null, 2) + '\n';
      mkdirSync(REGRESSIONS, { recursive: true });
      const file = join(REGRESSIONS, `${createHash('sha256').update(text).digest('hex').slice(0, 12)}.json`);
      writeFileSync(file, text);
      expect.fail(`disagreement saved to ${file} (fast-check seed ${result.seed}): ${JSON.stringify(found)}`);
    }
    expect(result.failed).toBe(false);
    expect(requests).toBeGreaterThanOrEqual(CASES);
  }, 60_000 + CASES * 2);

  const files = readdirSync(REGRESSIONS).filter((f) => f.endsWith('.json')).sort();
  it.each(files)('replays regression %s', async (file) => {
    const scenario = JSON.parse(readFileSync(join(REGRESSIONS, file), 'utf8')) as Scenario;
    expect(scenario.requests.length).toBeGreaterThan(0);
    expect(await disagreement(scenario)).toBeNull();
  });
});
