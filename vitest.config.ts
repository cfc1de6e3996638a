import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Kernel sweeps are CPU-bound; two forks match the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/relaxed/**'] } },
      // Node 20 compiles relaxed SIMD only behind a flag; these tests get it, the rest run as users do.
      { extends: true, test: { name: 'relaxed', include: ['test/relaxed/**/*.test.ts'], execArgv: ['--experimental-wasm-relaxed-simd'] } },
    ],
  },
});
