// Vite with no simdnet-specific settings: the dev server pre-bundles simdnet, the build emits its .wasm.
export default { root: 'src', logLevel: 'warn', server: { host: '127.0.0.1' }, build: { target: 'es2022', emptyOutDir: true } };
