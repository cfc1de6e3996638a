// `npm run playground` serves this page; the browser test builds it. `simdnet` resolves to the
// package's ESM build (dist/), exactly as in an app that installed the package: Vite finds the
// .wasm through `new URL(..., import.meta.url)` in dist/runtime/load.js, with no configuration.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  resolve: { alias: [{ find: /^simdnet$/, replacement: fileURLToPath(new URL('../../dist/index.js', import.meta.url)) }] },
  // The worker imports simdnet, which loads h5wasm lazily: ES-module workers keep that code split.
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
