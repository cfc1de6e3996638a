// `npm run playground` serves this page; the browser test builds it. `simdnet` and `simdnet/worker`
// resolve to the package's ESM build (dist/), as in an app that installed the package: Vite finds the
// .wasm through `new URL('….wasm', import.meta.url)` in dist/runtime/load.js and the training worker
// through `new Worker(new URL('./web-main.js', import.meta.url))` in dist/worker/index.js.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: [
      { find: /^simdnet\/worker$/, replacement: fileURLToPath(new URL('../../dist/worker/index.js', import.meta.url)) },
      { find: /^simdnet\/course$/, replacement: fileURLToPath(new URL('../../dist/course.js', import.meta.url)) },
      { find: /^simdnet$/, replacement: fileURLToPath(new URL('../../dist/index.js', import.meta.url)) },
    ],
  },
  // simdnet/worker's module worker imports simdnet, which loads h5wasm lazily: ES-module workers keep that code split.
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
