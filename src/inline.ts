// `simdnet/inline`: the public surface of index.ts with the kernel binaries embedded in the JS
// (for esbuild, CDNs, Deno, Cloudflare Workers and other hosts that cannot emit or serve .wasm files).
// dist/inline-wasm.js is generated at build time from build/*.wasm by bin/build-inline.js; importing it
// registers the embedded binaries, so loading fetches nothing.
import './inline-wasm.js';

export * from './index.js';
