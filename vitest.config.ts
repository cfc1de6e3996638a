import { relaxedSimd } from 'wasm-feature-detect';
import { defineConfig } from 'vitest/config';

// Node 20 compiles relaxed SIMD only behind --experimental-wasm-relaxed-simd, a flag that Node 22 and later
// (which ship relaxed SIMD) refuse at start: the relaxed tests get it only where it is needed.
const relaxedFlag = (await relaxedSimd()) ? [] : ['--experimental-wasm-relaxed-simd'];

export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Kernel sweeps are CPU-bound; two forks match the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      // The rest run as users do: on Node 20 'auto' loads the simd build, on Node 21 and later relaxed SIMD.
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/relaxed/**'] } },
      { extends: true, test: { name: 'relaxed', include: ['test/relaxed/**/*.test.ts'], execArgv: relaxedFlag } },
    ],
  },
});
