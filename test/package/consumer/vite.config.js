// Vite with no simdnet-specific settings: the dev server pre-bundles simdnet, the build emits its .wasm
// (and simdnet/worker's module worker). Two pages: index.html (main thread) and worker.html (fitInWorker).
import { fileURLToPath } from 'node:url';

const page = (name) => fileURLToPath(new URL(`./src/${name}`, import.meta.url));
export default {
  root: 'src', logLevel: 'warn', server: { host: '127.0.0.1' }, worker: { format: 'es' },
  build: { target: 'es2022', emptyOutDir: true, rollupOptions: { input: { main: page('index.html'), worker: page('worker.html') } } },
};
