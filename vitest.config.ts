import { defineConfig } from 'vitest/config';

// `.ci/run` sets VITEST_JSON_REPORT so it can print the plain `N passed, N failed` line.
const reporters: any[] = process.env.VITEST_JSON_REPORT
  ? ['default', ['json', { outputFile: '.vitest-report.json' }]]
  : ['default'];

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'spec-tests/**/*.test.ts', 'host-node/**/*.test.ts', 'host-edge/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters,
  },
});
