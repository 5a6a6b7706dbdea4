import { defineConfig } from 'vitest/config';

// In CI a JSON report is written too: .ci/run prints "N passed, N failed" from it.
const ci = process.env.CI === 'true' || process.env.CI === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ci ? ['default', ['json', { outputFile: 'reports/vitest.json' }]] : ['default'],
  },
});
