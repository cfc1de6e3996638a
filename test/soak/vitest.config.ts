// The soak runs (`npm run soak`), kept out of `npm test` (whose projects include only *.test.ts):
// 10,000 create/fit/predict/dispose cycles, 10,000 model loads per loader, 100,000 fuzzed model files,
// and many networks interleaved in one memory. Node runs with --expose-gc so that the JS heap can be
// measured after a full collection. Each file prints its numbers; see test/soak/*.soak.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'soak',
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    execArgv: ['--expose-gc'],
  },
});
