import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as switchyard from './index.js';

describe('the library entry', () => {
  it('exports every pipeline stage and the router', () => {
    for (const name of ['loadTexts', 'validate', 'resolve', 'compile', 'compileTable', 'createRouter', 'ReferenceMatcher', 'explainRequest', 'formatDiagnostic']) {
      expect(typeof (switchyard as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('runs the embedding example from the README', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/embed.ts'], { cwd: new URL('..', import.meta.url) });
    expect(stdout).toMatch(/^table [0-9a-f]{12}… \d+ bytes$/m);
    expect(stdout).toContain('GET shop.example.com/api/items {"x-canary":"always"}: httproute/shop/api/rule/2/match/0 -> shop/api-v2:80');
    expect(stdout).toContain('GET shop.example.com/api/health {}: httproute/shop/api/rule/1/match/0 -> shop/api-v1:80');
    expect(stdout).toContain('GET nowhere.example.com/ {}: no route (no-route)');
  });
});
