// What 'auto' should pick on this host, known from outside the loader (src/runtime/load.ts feature-detects).
import { execArgv, versions } from 'node:process';

/** Node's major version. */
export const nodeMajor = Number(versions.node.split('.')[0]);

/**
 * True when this process compiles relaxed SIMD: Node 21 and later ship it (V8 11.4+); Node 20 only with
 * --experimental-wasm-relaxed-simd, a flag that Node 22 and later refuse at start.
 */
export const relaxedHost = nodeMajor >= 21 || execArgv.includes('--experimental-wasm-relaxed-simd');

/** The build `build: 'auto'` loads here (every supported Node has SIMD). */
export const autoBuild: 'relaxed' | 'simd' = relaxedHost ? 'relaxed' : 'simd';
