// Rollup resolves packages with @rollup/plugin-node-resolve (browser conditions) and emits the
// `new URL('….wasm', import.meta.url)` files with @web/rollup-plugin-import-meta-assets.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';

export default {
  input: 'src/app.js',
  output: { dir: process.env.OUT, format: 'es', entryFileNames: 'main.js' },
  plugins: [nodeResolve({ browser: true }), importMetaAssets()],
};
