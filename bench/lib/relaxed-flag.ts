// Import first in a bench entry point. Node 20 compiles relaxed SIMD only with --experimental-wasm-relaxed-simd,
// and Node 22 and later (which ship it) refuse that flag at start, so no one command line fits both: where the
// host cannot compile relaxed SIMD, this sets the V8 flag in-process, before any module is compiled (V8's
// flags are per process, so the threads build's workers see it too).
import { setFlagsFromString } from 'node:v8';
import { relaxedSimd } from 'wasm-feature-detect';

if (!(await relaxedSimd())) setFlagsFromString('--experimental-wasm-relaxed-simd');
